import { generate } from './generate.ts';
import type { LoadedModel } from './loadModel.ts';

/**
 * Milliseconds of one warm denoising step (UNet with the model's default guidance, then the
 * scheduler update) of a loaded model: a 3-step image, whose first step pays for warm-up (shader
 * compilation, first allocations), timed by its faster later step.
 */
export async function timeWarmStep(model: LoadedModel, signal?: AbortSignal): Promise<number> {
  const steps = Math.min(3, model.entry.maxSteps ?? 3);
  const r = await generate(model, { prompt: 'a probe', seed: 0, steps }, { signal });
  const warm = r.timings.stepMs.slice(1);
  return Math.min(...(warm.length ? warm : r.timings.stepMs));
}
