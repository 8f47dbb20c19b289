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

export interface MaskedStepArgs extends StepArgs {
  edit: Handle;
  /** The sum of the per-step disagreement maps so far, [1,1,h,w]. */
  accumulated: Handle;
  /** [threshold, ramp, k]: k is the number of masked steps including this one. */
  params: number[];
  /** Batch of the edit's part of the next UNet input (nextBatch is ORIGINAL's part). */
  editBatch: number;
}

export interface MaskedStepResult {
  next: Handle;
  nextEdit: Handle;
  /** The edit's x0 estimate. */
  denoised: Handle;
  /** ORIGINAL's next input (nextBatch), then the edit's (editBatch). */
  unetInput: Handle;
  accumulated: Handle;
  /** This step's mask, [1,1,h,w] in [0,1]. */
  mask: Handle;
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
  /**
   * One step of tin-mask (optional: only schedules with a mask need it): ORIGINAL's trajectory
   * (`sample`) and the rewrite's (`edit`) from one batch-5 UNet output [uncond, u, u' | uncond, u'];
   * the edit keeps ORIGINAL's next latents outside the mask, which is where u' and u disagree on
   * ORIGINAL's latents. See public/graphs/masked_step.onnx.
   */
  maskedStep?(args: MaskedStepArgs): Promise<MaskedStepResult>;
  read(h: Handle): Promise<Float32Array>;
  release(h: Handle): void;
  /** Number of `read` calls so far. */
  readonly readbacks: number;
  /** Milliseconds spent inside the runtime so far; the rest of a step's time is JS overhead. */
  readonly runtimeMs: number;
}
