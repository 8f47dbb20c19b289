/**
 * The ORES benchmark's generation half in Chromium: the same engine code as the diffusion worker
 * (loadModel + generate on onnxruntime-web's WebGPU provider), the same benchmark runner and
 * offline rewriter as in Node. Driven by src/node/oresBrowser.ts through Playwright; images go
 * back to Node as base64 RGBA, where the judge and the metrics run (the same judge for both runtimes).
 *
 * The engine runs on this page rather than in the worker: the worker protocol can only hand a
 * pending prompt to the loop for `intervention`, not inside a full schedule (TIN + NEG needs one).
 */
import * as ort from 'onnxruntime-web/webgpu';
import manifestJson from '../models-manifest/models.json';
import type { OresCase } from '../src/core/bench/caseFile.ts';
import { parseLexicon } from '../src/core/guard/lexicon.ts';
import { findModel, parseManifest } from '../src/core/manifest.ts';
import { createFallbackRewriter } from '../src/core/rewrite/fallbackRewriter.ts';
import { DEFAULT_INSTRUCTIONS } from '../src/core/rewrite/instructions.ts';
import type { Rewriter } from '../src/core/rewrite/types.ts';
import { generateBenchmark, type BenchProgress } from '../src/core/tin/benchmark.ts';
import { measurePipelining } from '../src/core/tin/latency.ts';
import { parseMethodList } from '../src/core/tin/methods.ts';
import { createRewriteProvider, delayedRewriter } from '../src/core/tin/rewrites.ts';
import { generate } from '../src/engine/generate.ts';
import { loadModel, type LoadedModel } from '../src/engine/loadModel.ts';
import type { FileFetcher } from '../src/engine/fetcher.ts';

ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;

export interface PageSettings {
  methods: string[];
  seeds: number[];
  steps: number;
  switchAt: number;
  guidanceScale?: number;
}

let model: LoadedModel | undefined;
let rewriter: Rewriter | undefined;
const instruction = DEFAULT_INSTRUCTIONS.llama;

const plainFetcher: FileFetcher = {
  async fetchBytes(url, onProgress) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`Could not read ${url}: HTTP ${r.status}`);
    const bytes = new Uint8Array(await r.arrayBuffer());
    onProgress?.(bytes.byteLength, bytes.byteLength);
    return bytes;
  },
};

async function init(o: { modelId: string; manifestUrl?: string }): Promise<{ runtime: string }> {
  if (!('gpu' in navigator) || !(await navigator.gpu.requestAdapter())) throw new Error('This Chromium has no WebGPU adapter.');
  const manifest = o.manifestUrl ? parseManifest(await (await fetch(o.manifestUrl)).json(), o.manifestUrl) : parseManifest(manifestJson);
  const origin = o.manifestUrl ? new URL('.', new URL(o.manifestUrl, location.href)).href : new URL('/', location.href).href;
  model = await loadModel(ort, findModel(manifest, o.modelId), { provider: 'webgpu', fetcher: plainFetcher, graphsBaseUrl: new URL('/graphs/', location.href).href, origin });
  rewriter = createFallbackRewriter({ lexicon: parseLexicon(await (await fetch('/guard/lexicon.json')).json()) });
  const adapter = await navigator.gpu.requestAdapter();
  const info = adapter?.info;
  const ua = /Chrom(e|ium)\/[\d.]+/.exec(navigator.userAgent)?.[0] ?? navigator.userAgent;
  return { runtime: `${ua}, onnxruntime-web ${ort.env.versions.web ?? ''} on WebGPU (${[info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'adapter'})` };
}

const toBase64 = (bytes: Uint8Array | Uint8ClampedArray): string => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};

async function runCases(cases: OresCase[], s: PageSettings) {
  if (!model || !rewriter) throw new Error('init() first');
  const m = model;
  const progress = (window as unknown as { oresProgress?: (p: BenchProgress) => void }).oresProgress;
  const out = await generateBenchmark(cases, { ...s, methods: parseMethodList(s.methods.join(',')) }, {
    generate: (r) => generate(m, r),
    rewrite: createRewriteProvider({ rewriter, learnedInstruction: instruction }),
    onProgress: (p) => progress?.(p),
  });
  return {
    rewrites: out.rewrites,
    images: out.images.map((im) => ({ ...im, image: { width: im.image.width, height: im.image.height, data: toBase64(im.image.data) } })),
  };
}

async function latency(cases: OresCase[], s: PageSettings, rewriteMs: number, runs: number) {
  if (!model || !rewriter) throw new Error('init() first');
  const m = model;
  return measurePipelining({ generate: (r) => generate(m, r), rewriter: delayedRewriter(rewriter, rewriteMs), rewriteMs, instruction, cases, steps: s.steps, switchAt: s.switchAt, guidanceScale: s.guidanceScale, runs });
}

Object.assign(window, { oresBench: { init, runCases, latency, close: () => model?.release() } });
document.title = 'ready';
