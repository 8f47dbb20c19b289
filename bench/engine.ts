/**
 * npm run bench:engine — per-step latency of the app's loop on native ONNX Runtime (the reference:
 * onnxruntime-node, CPU), ORT-web WASM in Node, and ORT-web WASM and WebGPU (SwiftShader) in
 * Chromium, each with its ratio to native; the UNet alone (batch 2, as under guidance) native vs
 * ORT-web with the largest output difference; JS overhead per step, readbacks per image, time to
 * an image with weights in memory. Prints tables and writes bench/results/engine.{json,md}.
 * Numbers, not asserts. The machine may be shared: Node rows are timed interleaved, read ratios.
 */
import * as ort from 'onnxruntime-web';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { findModel, type ModelManifest } from '../src/core/manifest.ts';
import { generate } from '../src/engine/generate.ts';
import { loadModel, type LoadedModel } from '../src/engine/loadModel.ts';
import type { Ort } from '../src/engine/ort.ts';
import { sessionOptions } from '../src/engine/sessionOptions.ts';
import { fsFetcher } from '../src/node/fsFetcher.ts';
import { nativeOrt } from '../src/node/nativeOrt.ts';
import { contextDim, maxAbsDiff, median, NATIVE_TOLERANCE, openUnet, runUnet, timeInterleaved, unetInputs } from '../src/engine/unetReference.ts';
import { launchChromium, openReadyPage, startViteDev } from './chromium.ts';
import { helperGraphCost, nodeOptionVariants, pageVariants, type VariantRow } from './engineVariants.ts';
import { appManifest, fixtureManifest, fixtureModels, publicDir, repoRoot, unetBytes } from '../tests/unit/helpers/engine.ts';

interface Run {
  totalMs: number;
  readbacks: number;
  timings: { stepMs: number[]; stepRuntimeMs: number[] };
}
interface Row {
  model: string;
  where: string;
  steps: number;
  images: number;
  perStepMs: number;
  /** perStepMs over the native row's of the same model. */
  vsNative?: number;
  jsOverheadShare: number;
  readbacks: number;
  timeToImageMs: number;
  loadMs: number;
}
interface UnetRow {
  model: string;
  batch: number;
  nativeMs: number;
  webMs: number;
  ratio: number;
  maxAbsDiff: number;
}

const STEPS = 20;
const IMAGES = 3;
/** Same thread count on both sides: ORT-web's env.wasm.numThreads and native intra-op threads. */
const THREADS = Number(process.env.ORES_THREADS ?? 1);
const PORT = Number(process.env.ORES_PORT ?? 5179);
ort.env.wasm.numThreads = THREADS;
const native = nativeOrt(THREADS);

function summarize(model: string, where: string, steps: number, loadMs: number, runs: Run[]): Row {
  const stepMs = runs.flatMap((r) => r.timings.stepMs);
  const runtime = runs.flatMap((r) => r.timings.stepRuntimeMs);
  const total = stepMs.reduce((a, b) => a + b, 0);
  const inRuntime = runtime.reduce((a, b) => a + b, 0);
  return {
    model,
    where,
    steps,
    images: runs.length,
    perStepMs: median(stepMs),
    jsOverheadShare: (total - inRuntime) / total,
    readbacks: Math.max(...runs.map((r) => r.readbacks)),
    timeToImageMs: median(runs.map((r) => r.totalMs)),
    loadMs,
  };
}

interface NodeModel {
  id: string;
  manifest: ModelManifest;
  root: string;
}

/**
 * The app's loop in Node on native ONNX Runtime and on ORT-web WASM, images alternating between
 * the two so that both see the same machine load.
 */
const NATIVE = 'Node native (onnxruntime-node, CPU)';

async function nodeLoops(m: NodeModel, steps = STEPS, images = IMAGES, withWeb = true): Promise<Row[]> {
  const entry = findModel(m.manifest, m.id);
  const sides: { where: string; ort: Ort }[] = [{ where: NATIVE, ort: native }, ...(withWeb ? [{ where: 'Node WASM', ort }] : [])];
  const loaded: { model: LoadedModel; loadMs: number; runs: Run[] }[] = [];
  for (const s of sides) {
    const t0 = performance.now();
    const model = await loadModel(s.ort, entry, { provider: 'wasm', fetcher: fsFetcher(m.root), graphsBaseUrl: publicDir + 'graphs/' });
    loaded.push({ model, loadMs: performance.now() - t0, runs: [] });
  }
  const request = { prompt: 'a red circle on a navy background', seed: 0, steps };
  for (const l of loaded) await generate(l.model, request);
  for (let i = 0; i < images; i++) {
    for (const l of loaded) {
      const s = performance.now();
      const r = await generate(l.model, { ...request, seed: i + 1 });
      l.runs.push({ totalMs: performance.now() - s, readbacks: r.readbacks, timings: r.timings });
    }
  }
  for (const l of loaded) await l.model.release();
  return loaded.map((l, i) => summarize(m.id, sides[i]!.where, steps, l.loadMs, l.runs));
}

/** The UNet alone, batch 2 as under guidance, same inputs: native vs ORT-web WASM, interleaved. */
async function unetOnly(m: NodeModel): Promise<UnetRow> {
  const entry = findModel(m.manifest, m.id);
  const web = await openUnet(ort, unetBytes(entry, m.root), entry, sessionOptions('wasm'));
  const nat = await openUnet(native, unetBytes(entry, m.root), entry, sessionOptions('wasm'));
  const x = unetInputs(entry, contextDim(web), 2);
  const diff = maxAbsDiff(await runUnet(ort, web, entry, x), await runUnet(native, nat, entry, x));
  const [nativeMs, webMs] = await timeInterleaved([() => runUnet(native, nat, entry, x), () => runUnet(ort, web, entry, x)]);
  await Promise.all([web.release(), nat.release()]);
  return { model: m.id, batch: 2, nativeMs: nativeMs!, webMs: webMs!, ratio: webMs! / nativeMs!, maxAbsDiff: diff };
}

/**
 * The app's worker in Chromium, each row followed by the native loop with the same steps and
 * images (its reference, measured as close in time as two processes allow).
 */
async function browser(models: { id: string; manifestUrl?: string; steps: number; images: number; node: NodeModel }[]): Promise<{ rows: Row[]; page?: Awaited<ReturnType<typeof pageVariants>> }> {
  const server = startViteDev(PORT);
  const browser = await launchChromium();
  try {
    const page = await openReadyPage(browser, `http://localhost:${PORT}/tests/browser/harness.html`);
    const rows: Row[] = [];
    for (const m of models) {
      for (const provider of ['webgpu', 'wasm'] as const) {
        const r = await page.evaluate(
          (o) => (window as unknown as { harness: { bench: (o: object) => Promise<{ loadMs: number; runs: Run[] }> } }).harness.bench(o),
          { modelId: m.id, manifestUrl: m.manifestUrl, provider, steps: m.steps, images: m.images },
        );
        const row = summarize(m.id, provider === 'webgpu' ? 'Chromium WebGPU (SwiftShader)' : 'Chromium WASM', m.steps, r.loadMs, r.runs);
        const [ref] = await nodeLoops(m.node, m.steps, m.images, false);
        rows.push({ ...row, vsNative: row.perStepMs / ref!.perStepMs });
      }
    }
    return { rows, page: embedded ? await pageVariants(browser, `http://localhost:${PORT}`) : undefined };
  } finally {
    await browser.close();
    server.kill();
  }
}

const nodeModels: NodeModel[] = [{ id: 'tiny-sd', manifest: fixtureManifest, root: fixtureModels }];
const embedded = existsSync(publicDir + 'models/ores-tiny-world/unet/model.onnx');
if (embedded) nodeModels.push({ id: 'ores-tiny-world', manifest: appManifest, root: publicDir });

const rows: Row[] = [];
const unets: UnetRow[] = [];
for (const m of nodeModels) {
  rows.push(...(await nodeLoops(m)));
  unets.push(await unetOnly(m));
}
const variants: VariantRow[] = embedded ? [...(await nodeOptionVariants(native)), ...(await helperGraphCost(native))] : [];
// On SwiftShader (WebGPU on the CPU) an embedded-model step takes far longer: fewer steps and images.
const inChromium = await browser([
    { id: 'tiny-sd', manifestUrl: '/tests/fixtures/models/manifest.json', steps: STEPS, images: IMAGES, node: nodeModels[0]! },
    ...(embedded ? [{ id: 'ores-tiny-world', steps: 5, images: 1, node: nodeModels[1]! }] : []),
]);
rows.push(...inChromium.rows);
for (const r of rows) {
  const ref = rows.find((n) => n.model === r.model && n.where === NATIVE);
  if (ref && r.vsNative === undefined) r.vsNative = r.perStepMs / ref.perStepMs;
}
// The page's builds against each other (interleaved in the page); outputs against native on the same seeded inputs.
const pageRows: VariantRow[] = [];
if (inChromium.page) {
  const m = nodeModels[1]!;
  const entry = findModel(m.manifest, m.id);
  const nat = await openUnet(native, unetBytes(entry, m.root), entry, sessionOptions('wasm'));
  const ref = await runUnet(native, nat, entry, unetInputs(entry, contextDim(nat), 2));
  await nat.release();
  const base = inChromium.page.rows[0]!.ms;
  for (const r of inChromium.page.rows) pageRows.push({ variant: `Chromium ${r.name}`, ms: r.ms, vsNative: r.ms / base, maxAbsDiff: maxAbsDiff(ref, Float32Array.from(r.out)) });
}

const fmt = (r: Row) =>
  `| ${r.model} | ${r.where} | ${r.steps} x ${r.images} | ${r.perStepMs.toFixed(2)} | ${r.vsNative?.toFixed(2) ?? ''} | ${(r.jsOverheadShare * 100).toFixed(1)}% | ${r.readbacks} | ${r.timeToImageMs.toFixed(0)} | ${r.loadMs.toFixed(0)} |`;
const fmtUnet = (u: UnetRow) =>
  `| ${u.model} | ${u.batch} | ${u.nativeMs.toFixed(2)} | ${u.webMs.toFixed(2)} | ${u.ratio.toFixed(2)} | ${u.maxAbsDiff.toExponential(1)} |`;
const table = [
  `Engine benchmark: the app's loop, guidance from the model's defaults, median step of the timed images after one warm-up (steps x images per row).`,
  `Threads: ${THREADS} (ORT-web env.wasm.numThreads in Node, native intra-op threads; Chromium's default on this ${cpus().length}-core machine is also 1). Node rows alternate image by image; each Chromium row is divided by a native run of the same steps and images made right after it.`,
  '',
  '| model | runtime | steps x images | per step (ms) | / native | JS overhead | readbacks/image | time to image (ms) | load (ms) |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map(fmt),
  '',
  `UNet alone, same inputs, median of 50 calls each, interleaved; outputs must agree within ${NATIVE_TOLERANCE} (tests/unit/native-reference.test.ts).`,
  '',
  '| model | batch | native (ms) | ORT-web WASM (ms) | web / native | max abs diff |',
  '|---|---|---|---|---|---|',
  ...unets.map(fmtUnet),
  '',
  `Where the gap goes, on the embedded UNet (batch 2, same seeded inputs; Node, one process, all variants interleaved).`,
  '',
  '| variant | ms | / native | max abs diff |',
  '|---|---|---|---|',
  ...variants.map((v) => `| ${v.variant} | ${v.ms.toFixed(3)} | ${v.vsNative.toFixed(2)} | ${v.maxAbsDiff?.toExponential(1) ?? ''} |`),
  '',
  `The same UNet in Chromium${inChromium.page ? (inChromium.page.isolated ? ' (cross-origin isolated)' : ' (NOT cross-origin isolated)') : ''}: ORT builds and thread counts in one page, interleaved; ratios to the first row (a native time taken in another process at another moment would not compare). Max abs diff is against native.`,
  '',
  '| variant | ms | / first row | max abs diff |',
  '|---|---|---|---|',
  ...pageRows.map((v) => `| ${v.variant} | ${v.ms.toFixed(3)} | ${v.vsNative.toFixed(2)} | ${v.maxAbsDiff?.toExponential(1) ?? ''} |`),
].join('\n');
console.log(table);
mkdirSync(repoRoot + 'bench/results', { recursive: true });
writeFileSync(repoRoot + 'bench/results/engine.json', JSON.stringify({ date: new Date().toISOString(), threads: THREADS, rows, unets, variants, chromiumBuilds: pageRows }, null, 2) + '\n');
writeFileSync(repoRoot + 'bench/results/engine.md', table + '\n');
