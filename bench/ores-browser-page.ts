/**
 * The ORES benchmark's generation half in Chromium, on the app's own path: the diffusion worker
 * (workers/diffusion.worker.ts) behind the DiffusionClient, exactly as the page uses it, with the
 * same benchmark runner and offline rewriter as in Node. Every method's conditioning schedule,
 * pending rewrite and SLD safety concept included, travels through the worker protocol. Driven by
 * src/node/oresBrowser.ts through Playwright; images go back to Node as base64 RGBA, where the
 * judge and the metrics run (the same judge for both runtimes).
 */
import type { OresCase } from '../src/core/bench/caseFile.ts';
import { parseLexicon } from '../src/core/guard/lexicon.ts';
import type { GenerateRequest } from '../src/core/pipeline/request.ts';
import { createFallbackRewriter } from '../src/core/rewrite/fallbackRewriter.ts';
import { DEFAULT_INSTRUCTIONS } from '../src/core/rewrite/instructions.ts';
import type { Rewriter } from '../src/core/rewrite/types.ts';
import { generateBenchmark, type BenchProgress, type GeneratedResult } from '../src/core/tin/benchmark.ts';
import { measurePipelining } from '../src/core/tin/latency.ts';
import { parseMethodList } from '../src/core/tin/methods.ts';
import { createRewriteProvider, delayedRewriter } from '../src/core/tin/rewrites.ts';
import { DiffusionClient } from '../src/engine/diffusionClient.ts';

export interface PageSettings {
  methods: string[];
  seeds: number[];
  steps: number;
  switchStep: number;
  guidanceScale?: number;
}

let client: DiffusionClient | undefined;
let rewriter: Rewriter | undefined;
const instruction = DEFAULT_INSTRUCTIONS.llama;

/** One image through the worker, as the app makes it. */
async function generate(request: GenerateRequest): Promise<GeneratedResult> {
  if (!client) throw new Error('init() first');
  const out = await client.generate({ request });
  return { image: out.rgba, trace: out.trace, timings: out.timings };
}

async function init(o: { modelId: string; manifestUrl?: string }): Promise<{ runtime: string }> {
  if (!('gpu' in navigator) || !(await navigator.gpu.requestAdapter())) throw new Error('This Chromium has no WebGPU adapter.');
  const worker = new Worker(new URL('../workers/diffusion.worker.ts', import.meta.url), { type: 'module', name: 'diffusion' });
  client = new DiffusionClient(worker);
  await client.load(o.modelId, { provider: 'webgpu', ...(o.manifestUrl ? { manifestUrl: o.manifestUrl } : {}) });
  rewriter = createFallbackRewriter({ lexicon: parseLexicon(await (await fetch('/guard/lexicon.json')).json()) });
  const adapter = await navigator.gpu.requestAdapter();
  const info = adapter?.info;
  const ua = /Chrom(e|ium)\/[\d.]+/.exec(navigator.userAgent)?.[0] ?? navigator.userAgent;
  return { runtime: `${ua}, the app's diffusion worker, onnxruntime-web on WebGPU (${[info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'adapter'})` };
}

const toBase64 = (bytes: Uint8Array | Uint8ClampedArray): string => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};

async function runCases(cases: OresCase[], s: PageSettings) {
  if (!rewriter) throw new Error('init() first');
  const progress = (window as unknown as { oresProgress?: (p: BenchProgress) => void }).oresProgress;
  const out = await generateBenchmark(cases, { ...s, methods: parseMethodList(s.methods.join(',')) }, {
    generate,
    rewrite: createRewriteProvider({ rewriter, learnedInstruction: instruction }),
    onProgress: (p) => progress?.(p),
  });
  return {
    rewrites: out.rewrites,
    images: out.images.map((im) => ({ ...im, image: { width: im.image.width, height: im.image.height, data: toBase64(im.image.data) } })),
  };
}

async function latency(cases: OresCase[], s: PageSettings, rewriteMs: number, runs: number) {
  if (!rewriter) throw new Error('init() first');
  return measurePipelining({ generate, rewriter: delayedRewriter(rewriter, rewriteMs), rewriteMs, instruction, cases, steps: s.steps, switchStep: s.switchStep, guidanceScale: s.guidanceScale, runs });
}

Object.assign(window, { oresBench: { init, runCases, latency, close: () => client?.unload() } });
document.title = 'ready';
