import type { SchedulerConfig } from './types.ts';

const f32 = Math.fround;

/**
 * alphas_cumprod as diffusers builds it: betas are a torch float32 linspace (squared, in float32, for
 * 'scaled_linear'), alphas = 1 - betas in float32, and torch's CPU cumprod accumulates in double but stores
 * float32. We interpolate the linspace in double and round once; torch's vectorised kernel can land 1 ulp
 * away on some entries, which moves alphas_cumprod by ~1e-7 relative at most.
 * Returned as doubles that are all exact float32 values.
 */
export function alphasCumprod(config: SchedulerConfig): Float64Array {
  const n = config.num_train_timesteps;
  const scaled = config.beta_schedule === 'scaled_linear';
  const start = f32(scaled ? Math.sqrt(config.beta_start) : config.beta_start);
  const end = f32(scaled ? Math.sqrt(config.beta_end) : config.beta_end);
  const out = new Float64Array(n);
  let product = 1;
  for (let i = 0; i < n; i++) {
    const b = f32(n === 1 ? start : start + ((end - start) * i) / (n - 1));
    product *= f32(1 - (scaled ? f32(b * b) : b));
    out[i] = f32(product);
  }
  return out;
}
