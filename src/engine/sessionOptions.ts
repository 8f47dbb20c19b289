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
    enableMemPattern: false,
    enableCpuMemArena: false,
    preferredOutputLocation: provider === 'webgpu' ? 'gpu-buffer' : 'cpu',
    freeDimensionOverrides,
  };
}
