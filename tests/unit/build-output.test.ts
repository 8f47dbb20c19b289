// The production build (`vite build`): one copy of each runtime file, and the page's first load
// free of WebLLM. Builds into a temporary folder (about a minute on 2 cores).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build, type Manifest } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/engine.ts';

const outDir = mkdtempSync(join(tmpdir(), 'ores-build-'));
let files: string[] = [];
let manifest: Manifest = {};

/** Strings only WebLLM's code carries (its engine classes and its config file name). */
const WEBLLM_MARKERS = ['MLCEngine', 'mlc-chat-config.json'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [relative(outDir, join(dir, f))]));
}

/** A chunk and every chunk it imports statically: what loading it costs. */
function withStaticImports(key: string, seen = new Set<string>()): string[] {
  if (seen.has(key)) return [];
  seen.add(key);
  const chunk = manifest[key]!;
  return [chunk.file, ...(chunk.imports ?? []).flatMap((k) => withStaticImports(k, seen))];
}

beforeAll(async () => {
  await build({ root: repoRoot, logLevel: 'error', build: { outDir, emptyOutDir: true, manifest: true } });
  files = walk(outDir);
  manifest = JSON.parse(readFileSync(join(outDir, '.vite/manifest.json'), 'utf8')) as Manifest;
}, 600_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('vite build output', () => {
  it('holds exactly one onnxruntime-web WASM binary, with its loader beside it', () => {
    const wasm = files.filter((f) => /(^|\/)ort-wasm-simd-threaded[^/]*\.wasm$/.test(f));
    expect(wasm).toEqual(['ort/ort-wasm-simd-threaded.asyncify.wasm']);
    expect(files.filter((f) => /ort-wasm-simd-threaded[^/]*\.mjs$/.test(f))).toEqual(['ort/ort-wasm-simd-threaded.asyncify.mjs']);
  });

  it("keeps WebLLM out of the page's initial chunks and out of the model-choice chunk", () => {
    const entry = Object.keys(manifest).find((k) => manifest[k]!.isEntry && k.endsWith('index.html'));
    expect(entry).toBeDefined();
    const initial = withStaticImports(entry!);
    const choice = withStaticImports('src/engine/llm/models.ts');
    expect(initial.length).toBeGreaterThan(0);
    for (const file of new Set([...initial, ...choice])) {
      const code = readFileSync(join(outDir, file), 'utf8');
      for (const marker of WEBLLM_MARKERS) expect(code.includes(marker), `${file} contains "${marker}"`).toBe(false);
    }
    // The markers do find WebLLM where it belongs (the LLM worker), so their absence above means something.
    const llmWorker = files.find((f) => /llm\.worker-[^/]*\.js$/.test(f));
    expect(readFileSync(join(outDir, llmWorker!), 'utf8')).toContain('MLCEngine');
  });
});
