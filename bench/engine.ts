/**
 * npm run bench:engine — per-step latency on WebGPU (Chromium/SwiftShader) and WASM (Chromium and
 * Node), JS overhead per step as a share of step time, readbacks per image, and time to an image
 * with weights in memory. Prints a table and writes bench/results/engine.json. Numbers, not asserts.
 */
import * as ort from 'onnxruntime-web';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { findModel } from '../src/core/manifest.ts';
import { generate } from '../src/engine/generate.ts';
import { loadModel } from '../src/engine/loadModel.ts';
import { fsFetcher } from '../src/node/fsFetcher.ts';
import { appManifest, fixtureManifest, fixtureModels, publicDir, repoRoot } from '../tests/unit/helpers/engine.ts';

interface Run {
  totalMs: number;
  readbacks: number;
  timings: { stepMs: number[]; stepRuntimeMs: number[] };
}
interface Row {
  model: string;
  where: string;
  steps: number;
  perStepMs: number;
  jsOverheadShare: number;
  readbacks: number;
  timeToImageMs: number;
  loadMs: number;
}

const STEPS = 20;
const IMAGES = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function summarize(model: string, where: string, loadMs: number, runs: Run[]): Row {
  const steps = runs.flatMap((r) => r.timings.stepMs);
  const runtime = runs.flatMap((r) => r.timings.stepRuntimeMs);
  const total = steps.reduce((a, b) => a + b, 0);
  const inRuntime = runtime.reduce((a, b) => a + b, 0);
  return {
    model,
    where,
    steps: STEPS,
    perStepMs: median(steps),
    jsOverheadShare: (total - inRuntime) / total,
    readbacks: Math.max(...runs.map((r) => r.readbacks)),
    timeToImageMs: median(runs.map((r) => r.totalMs)),
    loadMs,
  };
}

async function node(model: string, manifest = fixtureManifest, root = fixtureModels): Promise<Row> {
  const t0 = performance.now();
  const m = await loadModel(ort, findModel(manifest, model), { provider: 'wasm', fetcher: fsFetcher(root), graphsBaseUrl: publicDir + 'graphs/' });
  const loadMs = performance.now() - t0;
  const request = { prompt: 'a red circle on a navy background', seed: 0, steps: STEPS };
  await generate(m, request);
  const runs: Run[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const s = performance.now();
    const r = await generate(m, { ...request, seed: i + 1 });
    runs.push({ totalMs: performance.now() - s, readbacks: r.readbacks, timings: r.timings });
  }
  await m.release();
  return summarize(model, 'Node WASM', loadMs, runs);
}

async function browser(models: { id: string; manifestUrl?: string }[]): Promise<Row[]> {
  // vite itself, not npx: killing npx would leave its vite child serving after the benchmark.
  const server = spawn(process.execPath, [repoRoot + 'node_modules/vite/bin/vite.js', '--port', '5179', '--strictPort'], { cwd: repoRoot, stdio: 'ignore' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    for (let i = 0; ; i++) {
      try {
        await page.goto('http://localhost:5179/tests/browser/harness.html');
        break;
      } catch (e) {
        if (i > 60) throw e;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    await page.waitForFunction(() => document.title === 'ready');
    const rows: Row[] = [];
    for (const m of models) {
      for (const provider of ['webgpu', 'wasm'] as const) {
        const r = await page.evaluate(
          (o) => (window as unknown as { harness: { bench: (o: object) => Promise<{ loadMs: number; runs: Run[] }> } }).harness.bench(o),
          { modelId: m.id, manifestUrl: m.manifestUrl, provider, steps: STEPS, images: IMAGES },
        );
        rows.push(summarize(m.id, provider === 'webgpu' ? 'Chromium WebGPU (SwiftShader)' : 'Chromium WASM', r.loadMs, r.runs));
      }
    }
    return rows;
  } finally {
    await browser.close();
    server.kill();
  }
}

const embedded = existsSync(publicDir + 'models/ores-tiny-world/unet/model.onnx');
const rows: Row[] = [await node('tiny-sd')];
if (embedded) rows.push(await node('ores-tiny-world', appManifest, publicDir));
// In Chromium only the fixture: on SwiftShader (a CPU) a 20-step embedded-model image takes minutes.
rows.push(...(await browser([{ id: 'tiny-sd', manifestUrl: '/tests/fixtures/models/manifest.json' }])));

const fmt = (r: Row) =>
  `| ${r.model} | ${r.where} | ${r.perStepMs.toFixed(2)} | ${(r.jsOverheadShare * 100).toFixed(1)}% | ${r.readbacks} | ${r.timeToImageMs.toFixed(0)} | ${r.loadMs.toFixed(0)} |`;
const table = [
  `Engine benchmark: ${STEPS} steps, guidance from the model's defaults, median of ${IMAGES} images after one warm-up.`,
  '',
  '| model | runtime | per step (ms) | JS overhead | readbacks/image | time to image (ms) | load (ms) |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(fmt),
].join('\n');
console.log(table);
const gpu = rows.find((r) => r.model === 'tiny-sd' && r.where.includes('WebGPU'));
const wasm = rows.find((r) => r.model === 'tiny-sd' && r.where === 'Chromium WASM');
if (gpu && wasm) console.log(`\nWebGPU/WASM per-step ratio on tiny-sd (same run): ${(gpu.perStepMs / wasm.perStepMs).toFixed(2)}`);
mkdirSync(repoRoot + 'bench/results', { recursive: true });
writeFileSync(repoRoot + 'bench/results/engine.json', JSON.stringify({ date: new Date().toISOString(), steps: STEPS, images: IMAGES, rows }, null, 2) + '\n');
writeFileSync(repoRoot + 'bench/results/engine.md', table + '\n');
