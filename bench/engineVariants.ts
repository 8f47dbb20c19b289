/**
 * bench:engine's search for the native/web gap on the embedded UNet: the same UNet and inputs
 * under each session option (Node), the per-run cost of the helper graph every step adds, and in
 * Chromium the ORT build (asyncify vs plain WASM) and thread count (bench/engine-page.ts).
 * Everything is a ratio to native ONNX Runtime measured interleaved in the same run.
 */
import * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { findModel, type ModelEntry } from '../src/core/manifest.ts';
import type { Ort, OrtSession, OrtTensor } from '../src/engine/ort.ts';
import { sessionOptions, type SessionOptions } from '../src/engine/sessionOptions.ts';
import { contextDim, maxAbsDiff, openUnet, runUnet, timeInterleaved, unetInputs } from '../src/engine/unetReference.ts';
import { appManifest, publicDir, unetBytes } from '../tests/unit/helpers/engine.ts';

export interface VariantRow {
  variant: string;
  ms: number;
  vsNative: number;
  maxAbsDiff?: number;
}

const engine = sessionOptions('wasm');
const OPTION_VARIANTS: [string, SessionOptions][] = [
  ['engine options (graph "all", CPU arena and memory pattern on)', engine],
  ['without enableCpuMemArena, enableMemPattern (the options before)', { ...engine, enableCpuMemArena: false, enableMemPattern: false }],
  ['+ freeDimensionOverrides batch_size=2', { ...engine, freeDimensionOverrides: { batch_size: 2 } }],
  ['graphOptimizationLevel "extended"', { ...engine, graphOptimizationLevel: 'extended' }],
  ['graphOptimizationLevel "basic"', { ...engine, graphOptimizationLevel: 'basic' }],
  ['graphOptimizationLevel "disabled"', { ...engine, graphOptimizationLevel: 'disabled' }],
  ['executionMode "parallel"', { ...engine, executionMode: 'parallel' }],
];

/** The embedded UNet in Node: native once, then ORT-web under each option set, all interleaved. */
export async function nodeOptionVariants(native: Ort): Promise<VariantRow[]> {
  const entry = findModel(appManifest, 'ores-tiny-world');
  const nat = await openUnet(native, unetBytes(entry, publicDir), entry, engine);
  const x = unetInputs(entry, contextDim(nat), 2);
  const ref = await runUnet(native, nat, entry, x);
  const webs: OrtSession[] = [];
  const diffs: number[] = [];
  for (const [, o] of OPTION_VARIANTS) {
    const s = await openUnet(ort, unetBytes(entry, publicDir), entry, o);
    webs.push(s);
    diffs.push(maxAbsDiff(ref, await runUnet(ort, s, entry, x)));
  }
  const ms = await timeInterleaved([() => runUnet(native, nat, entry, x), ...webs.map((s) => () => runUnet(ort, s, entry, x))]);
  await Promise.all([nat, ...webs].map((s) => s.release()));
  return [
    { variant: 'native ONNX Runtime (reference)', ms: ms[0]!, vsNative: 1 },
    ...OPTION_VARIANTS.map(([variant], i) => ({ variant: `ORT-web WASM: ${variant}`, ms: ms[i + 1]!, vsNative: ms[i + 1]! / ms[0]!, maxAbsDiff: diffs[i] })),
  ];
}

/** latent_step.onnx, the helper graph each step runs after the UNet, on the embedded model's shapes. */
export async function helperGraphCost(native: Ort): Promise<VariantRow[]> {
  const entry: ModelEntry = findModel(appManifest, 'ores-tiny-world');
  const bytes = new Uint8Array(readFileSync(publicDir + 'graphs/latent_step.onnx'));
  const { channels: c, height: h, width: w } = entry.latent;
  const feeds = (o: Ort): Record<string, OrtTensor> => ({
    sample: new o.Tensor('float32', new Float32Array(c * h * w).fill(0.5), [1, c, h, w]),
    model_output: new o.Tensor('float32', new Float32Array(2 * c * h * w).fill(0.25), [2, c, h, w]),
    noise: new o.Tensor('float32', new Float32Array(c * h * w), [1, c, h, w]),
    weights: new o.Tensor('float32', Float32Array.of(-4, 5), [2]),
    coeffs: new o.Tensor('float32', Float32Array.of(0.9, 0.1, 0, 1, 0.5, 0.5), [6]),
    unet_shape: new o.Tensor('int64', BigInt64Array.of(2n, BigInt(c), BigInt(h), BigInt(w)), [4]),
  });
  const nat = await native.InferenceSession.create(bytes, engine);
  const web = await ort.InferenceSession.create(bytes, engine);
  const [n, wb] = await timeInterleaved([() => nat.run(feeds(native)), () => web.run(feeds(ort))]);
  await Promise.all([nat.release(), web.release()]);
  return [
    { variant: 'latent_step.onnx per step, native', ms: n!, vsNative: 1 },
    { variant: 'latent_step.onnx per step, ORT-web WASM', ms: wb!, vsNative: wb! / n! },
  ];
}

/** The embedded UNet in Chromium, per ORT build and thread count (bench/engine-page.ts), interleaved in one page. */
export async function pageVariants(browser: Browser, origin: string): Promise<{ isolated: boolean; rows: { name: string; threads: number; ms: number; out: number[] }[] }> {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/bench/engine-page.html`);
    await page.waitForFunction(() => 'result' in window, undefined, { timeout: 600_000 });
    const res = (await page.evaluate(() => (window as unknown as { result: object }).result)) as { error?: string; isolated: boolean; rows: { name: string; threads: number; ms: number; out: number[] }[] };
    if (res.error) throw new Error(`bench/engine-page.html: ${res.error}`);
    return res;
  } finally {
    await page.close();
  }
}
