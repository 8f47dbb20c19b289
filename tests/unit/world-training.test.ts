// Smoke test of the embedded model's training script: a few steps of every stage, then the
// exported files load through the engine's loader and generate. Needs Debian's python3-torch and
// python3-onnx (the training environment, docs/world-model.md); CI machines without them skip it.
import * as ort from 'onnxruntime-web';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { findModel } from '../../src/core/manifest.ts';
import { generate } from '../../src/engine/generate.ts';
import { loadModel } from '../../src/engine/loadModel.ts';
import { fsFetcher } from '../../src/node/fsFetcher.ts';
import { appManifest, publicDir, repoRoot } from './helpers/engine.ts';

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'world-training-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!hasTorch)('tools/world/train_model.py (skipped without python3-torch and python3-onnx)', () => {
  test('a few steps of every stage export a model that the engine loads and runs', { timeout: 240_000 }, async () => {
    const out = join(tmp, 'models', 'ores-tiny-world');
    const train = (to: string) =>
      spawnSync(
        PYTHON,
        [
          'tools/world/train_model.py', '--steps', '3', '--ae-steps', '3', '--text-steps', '3', '--scenes', '64', '--eval-n', '4',
          '--out', to, '--checkpoint', join(tmp, 'smoke.pt'),
        ],
        { cwd: repoRoot, encoding: 'utf8' },
      );
    const run = train(out);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/judge on reconstructions: colour [\d.]+ shape [\d.]+/);
    expect(run.stdout).toMatch(/text encoder attribute accuracy on fresh captions: colour/);
    expect(run.stdout).toMatch(/step 2 loss [\d.]+ attribute [\d.]+/);
    expect(run.stdout).toMatch(/quality at step 3 on 4 held-out captions: colour [\d.]+ shape [\d.]+ background [\d.]+/);
    // Run again on the finished checkpoint: nothing is left to train, and the export holds the
    // same trained weights (it once exported freshly initialised networks here).
    const again = train(join(tmp, 'again'));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/resumed at step 3/);
    for (const f of ['unet', 'text_encoder', 'vae_decoder']) {
      expect(readFileSync(join(tmp, 'again', f, 'model.onnx')).equals(readFileSync(join(out, f, 'model.onnx'))), f).toBe(true);
    }
    // Freshly trained files, not the shipped ones: the manifest's sizes and checksums do not apply.
    const entry = structuredClone(findModel(appManifest, 'ores-tiny-world'));
    for (const f of Object.values(entry.files)) {
      delete f.bytes;
      delete f.sha256;
    }
    const model = await loadModel(ort, entry, { provider: 'wasm', fetcher: fsFetcher(tmp), graphsBaseUrl: publicDir + 'graphs/' });
    try {
      const r = await generate(model, { prompt: 'a red circle on a gray background', seed: 1, steps: 4 });
      expect([r.image.width, r.image.height]).toEqual([32, 32]);
      expect(r.trace.length).toBe(4);
    } finally {
      await model.release();
    }
  });
});
