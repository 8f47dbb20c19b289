/** The Node engine of `bench:ores`: the embedded engine on onnxruntime-web's WASM provider, behind the Engine interface the Chromium one shares. */
import * as ort from 'onnxruntime-web';
import { resolve } from 'node:path';
import type { OresCase } from '../core/bench/caseFile.ts';
import type { ModelEntry } from '../core/manifest.ts';
import { DEFAULT_INSTRUCTIONS } from '../core/rewrite/instructions.ts';
import type { Rewriter } from '../core/rewrite/types.ts';
import { generateBenchmark, type AppEnforcement, type BenchProgress, type BenchSettings, type CaseRewrite, type GeneratedImage } from '../core/tin/benchmark.ts';
import { measurePipelining } from '../core/tin/latency.ts';
import type { LatencyReport } from '../core/tin/report.ts';
import { createRewriteProvider, delayedRewriter } from '../core/tin/rewrites.ts';
import { generate } from '../engine/generate.ts';
import { loadModel } from '../engine/loadModel.ts';
import { fsFetcher } from './fsFetcher.ts';
import { REPO_ROOT } from './repoRoot.ts';

export interface Engine {
  runtime: string;
  generateCases(cases: readonly OresCase[], settings: BenchSettings, onProgress: (p: BenchProgress) => void, app?: AppEnforcement): Promise<{ images: GeneratedImage[]; rewrites: CaseRewrite[] }>;
  latency(cases: readonly OresCase[], settings: BenchSettings, rewriteMs: number, runs: number): Promise<LatencyReport>;
  close(): Promise<void>;
}

export async function nodeEngine(entry: ModelEntry, root: string, rewriter: Rewriter): Promise<Engine> {
  const model = await loadModel(ort, entry, { provider: 'wasm', fetcher: fsFetcher(root), graphsBaseUrl: resolve(REPO_ROOT, 'public/graphs') + '/' });
  const gen = (r: Parameters<typeof generate>[1]) => generate(model, r);
  const instruction = DEFAULT_INSTRUCTIONS.llama;
  return {
    runtime: `Node ${process.version}, onnxruntime-web ${ort.env.versions.web ?? ''} on WASM`,
    generateCases: (cases, settings, onProgress, app) =>
      generateBenchmark(cases, settings, { generate: gen, rewrite: createRewriteProvider({ rewriter, learnedInstruction: instruction }), onProgress, ...(app ? { app } : {}) }),
    latency: (cases, settings, rewriteMs, runs) =>
      measurePipelining({ generate: gen, rewriter: delayedRewriter(rewriter, rewriteMs), rewriteMs, instruction, cases, steps: settings.steps, switchStep: settings.switchStep, guidanceScale: settings.guidanceScale, runs }),
    close: () => model.release(),
  };
}

