// Test page: drives the real diffusion worker through the real client, as the app does.
import { DiffusionClient } from '../../src/engine/diffusionClient.ts';
import type { GenerateCall } from '../../src/engine/diffusionClient.ts';
import type { Provider } from '../../src/core/capabilities.ts';

const worker = new Worker(new URL('../../workers/diffusion.worker.ts', import.meta.url), { type: 'module' });
const client = new DiffusionClient(worker);

async function run(opts: { modelId: string; manifestUrl?: string; provider?: Provider; request: GenerateCall['request']; cancelAtStep?: number }) {
  const abort = new AbortController();
  let lastStep = 0;
  try {
    await client.load(opts.modelId, { provider: opts.provider, manifestUrl: opts.manifestUrl });
    const out = await client.generate({
      request: opts.request,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.step) lastStep = p.step;
        if (opts.cancelAtStep && p.step === opts.cancelAtStep) abort.abort();
      },
    });
    const png = out.png instanceof Blob ? new Uint8Array(await out.png.arrayBuffer()) : out.png;
    return { ok: true, provider: out.provider, readbacks: out.readbacks, rgba: Array.from(out.rgba.data), width: out.rgba.width, pngHead: Array.from(png.slice(0, 8)), trace: out.trace, lastStep, timings: out.timings };
  } catch (e) {
    return { ok: false, error: { code: (e as { code?: string }).code, message: (e as Error).message }, lastStep };
  }
}

/** Benchmark: load once, one warm-up image, then `images` timed images (weights in memory). */
async function bench(opts: { modelId: string; manifestUrl?: string; provider: Provider; steps: number; images: number; guidanceScale?: number }) {
  const t0 = performance.now();
  await client.load(opts.modelId, { provider: opts.provider, manifestUrl: opts.manifestUrl });
  const loadMs = performance.now() - t0;
  const request = { prompt: 'a red circle on a navy background', seed: 0, steps: opts.steps, guidanceScale: opts.guidanceScale };
  await client.generate({ request });
  const runs = [];
  for (let i = 0; i < opts.images; i++) {
    const s = performance.now();
    const out = await client.generate({ request: { ...request, seed: i + 1 } });
    runs.push({ totalMs: performance.now() - s, readbacks: out.readbacks, timings: out.timings });
  }
  return { loadMs, runs };
}

/** Deletes a model's files from the worker's download cache; resolves to the number deleted, or the error. */
async function deleteCache(opts: { modelId: string; manifestUrl?: string }) {
  try {
    return { ok: true, files: await client.deleteCache(opts.modelId, { manifestUrl: opts.manifestUrl }) };
  } catch (e) {
    return { ok: false, error: { code: (e as { code?: string }).code, message: (e as Error).message } };
  }
}

/** Runs one helper graph of public/graphs on WebGPU in the page; float32 inputs as plain arrays (int64 as numbers). */
async function helperGraph(opts: { file: string; inputs: Record<string, { data: number[]; dims: number[]; int64?: boolean }> }) {
  const ort = await import('onnxruntime-web/webgpu');
  const session = await ort.InferenceSession.create(`/graphs/${opts.file}`, { executionProviders: ['webgpu'] });
  const feeds = Object.fromEntries(
    Object.entries(opts.inputs).map(([k, v]) => [k, v.int64 ? new ort.Tensor('int64', BigInt64Array.from(v.data.map(BigInt)), v.dims) : new ort.Tensor('float32', Float32Array.from(v.data), v.dims)]),
  );
  const out = await session.run(feeds);
  const result = Object.fromEntries(await Promise.all(Object.entries(out).map(async ([k, t]) => [k, { data: Array.from((await t.getData()) as Float32Array), dims: [...t.dims] }])));
  await session.release();
  return result;
}

Object.assign(window, { harness: { run, bench, deleteCache, helperGraph, capabilities: () => client.capabilities() } });
document.title = 'ready';
