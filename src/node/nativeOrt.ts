import * as ortNode from 'onnxruntime-node';
import type { Ort } from '../engine/ort.ts';

/**
 * onnxruntime-node (native ONNX Runtime, CPU) behind the onnxruntime-web interface the engine
 * takes, so the app's own loader and loop run on it unchanged: the native reference of the
 * benchmarks and tests. Sessions keep the engine's options, except the provider (native CPU) and
 * the thread count, set to `threads` so that it matches ORT-web's `env.wasm.numThreads`.
 */
export function nativeOrt(threads: number): Ort {
  type CreateOptions = Parameters<typeof ortNode.InferenceSession.create>[1];
  const create = (model: Uint8Array, options?: object) =>
    ortNode.InferenceSession.create(model, {
      ...(options as CreateOptions),
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      preferredOutputLocation: undefined,
    });
  // Both packages build on the same onnxruntime-common (1.30.0): Tensor and session types are one.
  return { ...ortNode, InferenceSession: { ...ortNode.InferenceSession, create } } as unknown as Ort;
}
