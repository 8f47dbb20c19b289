/** A tensor the backend owns; on WebGPU it lives in a GPU buffer and is never read unless asked. */
export interface Handle {
  readonly dims: readonly number[];
}

/** Latent and image geometry of a model, from its manifest entry. */
export interface ModelGeometry {
  latentChannels: number;
  latentHeight: number;
  latentWidth: number;
  /** Latents are multiplied by this after encoding; the decoder gets latents / scalingFactor. */
  scalingFactor: number;
}

export interface StepArgs {
  sample: Handle;
  modelOutput: Handle;
  noise: Handle;
  /** Per batch entry of the UNet output: eps = sum(weights[n] * modelOutput[n]). */
  weights: number[];
  /** [a, b, c, nextInputScale, p, q]; see public/graphs/latent_step.onnx. */
  coeffs: number[];
  /** Batch of the next UNet input. */
  nextBatch: number;
}

/**
 * What the sampling loop needs from a runtime. The onnxruntime-web implementation keeps every
 * handle on the GPU; `read` is the only way data comes back, and it is counted.
 */
export interface DiffusionBackend {
  readonly geometry: ModelGeometry;
  encodeText(ids: Int32Array): Promise<Handle>;
  stack(parts: Handle[]): Promise<Handle>;
  upload(data: Float32Array, dims: number[]): Handle;
  scaleExpand(x: Handle, scale: number, batch: number): Promise<Handle>;
  unet(sample: Handle, timestep: number, context: Handle): Promise<Handle>;
  step(args: StepArgs): Promise<{ next: Handle; denoised: Handle; unetInput: Handle }>;
  decode(latents: Handle): Promise<Handle>;
  /**
   * Safe Latent Diffusion's guidance (optional: only schedules with a safety concept need it).
   * modelOutput is the batch-3 UNet output [uncond, prompt, safety]; params are
   * [w, sldScale, threshold, momentumScale, momentumBeta, apply]; returns the guided output (batch 1)
   * and the next momentum. See public/graphs/sld_guidance.onnx.
   */
  sldGuide?(modelOutput: Handle, momentum: Handle, params: number[]): Promise<{ guided: Handle; momentum: Handle }>;
  read(h: Handle): Promise<Float32Array>;
  release(h: Handle): void;
  /** Number of `read` calls so far. */
  readonly readbacks: number;
  /** Milliseconds spent inside the runtime so far; the rest of a step's time is JS overhead. */
  readonly runtimeMs: number;
}
