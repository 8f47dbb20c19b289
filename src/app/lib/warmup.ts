/**
 * The warm-up run made right after a model loads. WebGPU compiles each kernel on its first use
 * (30-50 s for the embedded model on SwiftShader), so without it the user's first Generate
 * stalls. Two steps with a preview touch every graph a Generate uses (text encoder, UNet, the
 * step and concat graphs, the VAE decoder, the preview readback), with the model's own guidance,
 * so classifier-free guidance runs the same batch shapes. Not needed when the worker measured the
 * providers at load: that timed run (src/engine/timeStep.ts) is the same generation on the kept model.
 */
import type { ModelEntry } from '../../core/manifest.ts';

export const WARM_UP_PROMPT = 'a shape';

export function warmUpRequest(entry: ModelEntry): { prompt: string; seed: number; steps: number; guidanceScale: number; previewEvery: number } {
  return { prompt: WARM_UP_PROMPT, seed: 0, steps: 2, guidanceScale: entry.defaults.guidanceScale, previewEvery: 1 };
}
