/**
 * bench:engine's Chromium page for the embedded UNet alone (batch 2, the seeded inputs of
 * src/engine/unetReference.ts), on several onnxruntime-web instances in one cross-origin-isolated
 * page, timed interleaved: the asyncify build (the one the WebGPU bundle carries, which the app's
 * worker loads today), the plain WASM build, and the plain build again with 2 threads (a second
 * instance: the thread count is fixed when an instance starts).
 */
import manifestJson from '../models-manifest/models.json';
import { findModel, parseManifest } from '../src/core/manifest.ts';
import type { Ort } from '../src/engine/ort.ts';
import { sessionOptions } from '../src/engine/sessionOptions.ts';
import { contextDim, openUnet, runUnet, timeInterleaved, unetInputs } from '../src/engine/unetReference.ts';

const PAGE_CONFIGS = [
  { name: 'asyncify build (onnxruntime-web/webgpu), 1 thread', threads: 1, load: () => import('onnxruntime-web/webgpu') },
  { name: 'plain WASM build (onnxruntime-web/wasm), 1 thread', threads: 1, load: () => import('onnxruntime-web/wasm') },
  // The same build through its other entry (the one carrying its .mjs): a second instance, started with 2 threads.
  { name: 'plain WASM build, 2 threads', threads: 2, load: () => import('/node_modules/onnxruntime-web/dist/ort.wasm.bundle.min.mjs' as string) as Promise<Ort> },
];

async function main(): Promise<object> {
  const entry = findModel(parseManifest(manifestJson), 'ores-tiny-world');
  const bytes = new Uint8Array(await (await fetch('/models/ores-tiny-world/unet/model.onnx')).arrayBuffer());
  const runs = [];
  for (const c of PAGE_CONFIGS) {
    const ort: Ort = await c.load();
    ort.env.wasm.numThreads = c.threads;
    const session = await openUnet(ort, bytes, entry, sessionOptions('wasm'));
    const x = unetInputs(entry, contextDim(session), 2);
    runs.push({ c, ort, session, x, out: await runUnet(ort, session, entry, x) });
  }
  const ms = await timeInterleaved(runs.map((r) => () => runUnet(r.ort, r.session, entry, r.x)));
  return {
    isolated: crossOriginIsolated,
    rows: runs.map((r, i) => ({ name: r.c.name, threads: r.ort.env.wasm.numThreads, ms: ms[i], out: Array.from(r.out) })),
  };
}

main().then(
  (r) => Object.assign(window, { result: r }),
  (e: Error) => Object.assign(window, { result: { error: e.message } }),
);
