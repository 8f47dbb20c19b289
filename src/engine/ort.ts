import type * as OrtModule from 'onnxruntime-web';

/** The onnxruntime-web module, injected so Node (WASM) and the browser (WebGPU) share the engine. */
export type Ort = typeof OrtModule;
export type OrtTensor = OrtModule.Tensor;
export type OrtSession = OrtModule.InferenceSession;
export type ExecutionProvider = 'webgpu' | 'wasm';
export type OrtRunResult = OrtModule.InferenceSession.ReturnType;
