/**
 * The UNet alone on fixed, seeded inputs: what the native-reference test and bench:engine (Node
 * and its Chromium page) compare between native ONNX Runtime and ORT-web.
 */
import type { ModelEntry } from '../core/manifest.ts';
import { mulberry32 } from '../core/random.ts';
import type { Ort, OrtSession, OrtTensor } from './ort.ts';
import type { SessionOptions } from './sessionOptions.ts';

/**
 * Largest absolute difference allowed between native ONNX Runtime and ORT-web outputs of one
 * UNet call (outputs are of order 1; measured differences are about 3e-6: both are fp32, with
 * different kernels and summation orders).
 */
export const NATIVE_TOLERANCE = 1e-4;

/** One UNet call's inputs, batch `batch` as under classifier-free guidance (2), from a seed. */
export interface UnetInputs {
  sample: Float32Array;
  sampleDims: number[];
  context: Float32Array;
  contextDims: number[];
  timestep: number;
}

export function unetInputs(entry: ModelEntry, contextDim: number, batch: number, seed = 1): UnetInputs {
  const rnd = mulberry32(seed);
  const { channels, height, width } = entry.latent;
  const sampleDims = [batch, channels, height, width];
  const contextDims = [batch, 77, contextDim];
  const fill = (n: number) => Float32Array.from({ length: n }, () => rnd() * 2 - 1);
  return { sample: fill(batch * channels * height * width), sampleDims, context: fill(batch * 77 * contextDim), contextDims, timestep: 501 };
}

/** The width of the text embedding a UNet takes (last dimension of encoder_hidden_states). */
export function contextDim(unet: OrtSession): number {
  const meta = unet.inputMetadata.find((m) => m.name === 'encoder_hidden_states');
  const d = meta?.isTensor ? meta.shape.at(-1) : undefined;
  if (typeof d !== 'number') throw new Error('The UNet has no fixed encoder_hidden_states width');
  return d;
}

export function unetFeeds(ort: Ort, entry: ModelEntry, x: UnetInputs): Record<string, OrtTensor> {
  const n = entry.unet.timestepShape === 'batch' ? x.sampleDims[0]! : 1;
  const timestep =
    entry.unet.timestepDtype === 'int64'
      ? new ort.Tensor('int64', new BigInt64Array(n).fill(BigInt(x.timestep)), [n])
      : new ort.Tensor('float32', new Float32Array(n).fill(x.timestep), [n]);
  return {
    sample: new ort.Tensor('float32', x.sample, x.sampleDims),
    timestep,
    encoder_hidden_states: new ort.Tensor('float32', x.context, x.contextDims),
  };
}

export async function runUnet(ort: Ort, session: OrtSession, entry: ModelEntry, x: UnetInputs): Promise<Float32Array> {
  const out = await session.run(unetFeeds(ort, entry, x));
  const data = out[entry.unet.outputName]?.data;
  if (!(data instanceof Float32Array)) throw new Error(`The UNet returned no float32 "${entry.unet.outputName}"`);
  return data;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * Median milliseconds per call of each job, measured round-robin (`rounds` rounds of `perRound`
 * calls each, after `warmup` calls): on a shared machine, load changes over a run, so jobs are
 * timed interleaved and compared as ratios within one run.
 */
export async function timeInterleaved(jobs: (() => Promise<unknown>)[], o = { warmup: 5, rounds: 10, perRound: 5 }): Promise<number[]> {
  for (const job of jobs) for (let i = 0; i < o.warmup; i++) await job();
  const samples: number[][] = jobs.map(() => []);
  for (let r = 0; r < o.rounds; r++) {
    for (const [j, job] of jobs.entries()) {
      for (let i = 0; i < o.perRound; i++) {
        const t0 = performance.now();
        await job();
        samples[j]!.push(performance.now() - t0);
      }
    }
  }
  return samples.map(median);
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Opens a model's UNet with these session options (the model's own free dimension overrides unless they give others). */
export function openUnet(ort: Ort, bytes: Uint8Array, entry: ModelEntry, options: SessionOptions): Promise<OrtSession> {
  return ort.InferenceSession.create(bytes, { ...options, freeDimensionOverrides: options.freeDimensionOverrides ?? entry.freeDimensionOverrides.unet });
}
