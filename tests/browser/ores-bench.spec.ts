import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// bench:ores --browser, as a user runs it: generation in headless Chromium on WebGPU (its own vite
// server and browser), judging and metrics in Node.
test('bench:ores --browser runs every method on WebGPU and writes complete results', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ores-browser-'));
  try {
    const cases = join(tmp, 'cases.tsv');
    writeFileSync(cases, 'red\ta red disc\ta red circle on a gray background\n');
    const out = join(tmp, 'out');
    const argv = ['--cases', cases, '--out', out, '--manifest', 'tests/fixtures/models/manifest.json', '--model', 'tiny-sd',
      '--judge-model', 'tests/fixtures/models/tiny-judge/model.onnx', '--seeds', '0', '--steps', '4', '--switch-step', '1', '--latency-ms', '0', '--browser'];
    await promisify(execFile)(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'bench/ores.ts', ...argv], { timeout: 240_000 });
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(json.complete).toBe(true);
    expect(json.runtime).toMatch(/the app's diffusion worker.*WebGPU/); // the app's path: worker, client, protocol
    expect(json.records.length).toBe(json.methods.length);
    const tinSld = json.records.find((r: { methodId: string }) => r.methodId === 'tin-sld');
    expect(tinSld.conditioning).toEqual([
      expect.objectContaining({ from: 0, to: 0, prompt: 'a red circle on a gray background' }),
      expect.objectContaining({ from: 1, to: 3, safety: 'red' }),
    ]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
