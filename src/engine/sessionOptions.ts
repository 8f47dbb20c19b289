import type { ExecutionProvider, Ort } from './ort.ts';

export type SessionOptions = NonNullable<Parameters<Ort['InferenceSession']['create']>[1]>;

/**
 * The options every engine session is created with (models and helper graphs). On WebGPU,
 * outputs stay in GPU buffers between runs; see docs/performance.md for what each option costs
 * or saves on WASM, measured against native ONNX Runtime.
 */
export function sessionOptions(provider: ExecutionProvider, freeDimensionOverrides?: Record<string, number>): SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    // On WASM, the arena and the memory pattern (buffers planned once, reused every run) save about
    // 10% of a small UNet's step (bench/results/engine.md); on WebGPU the CPU side holds little.
    enableMemPattern: provider === 'wasm',
    enableCpuMemArena: provider === 'wasm',
    preferredOutputLocation: provider === 'webgpu' ? 'gpu-buffer' : 'cpu',
    freeDimensionOverrides,
  };
}
