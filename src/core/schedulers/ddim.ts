import { InvalidInputError } from '../errors.ts';
import { BaseScheduler } from './base.ts';
import { alphasCumprod } from './betas.ts';
import { spacedTimesteps } from './spacing.ts';
import type { DenoisedCoefficients, SchedulerConfig, StepCoefficients } from './types.ts';

/** diffusers' DDIMScheduler with eta = 0 (deterministic), epsilon or v-prediction. */
export class DdimScheduler extends BaseScheduler {
  readonly kind = 'ddim' as const;
  readonly initNoiseSigma = 1;
  private readonly alphas: Float64Array;
  private readonly finalAlpha: number;

  constructor(config: SchedulerConfig) {
    super(config);
    // Clipping x0 to [-1, 1] is not a linear map, so it cannot be a StepCoefficients step.
    if (config.clip_sample ?? true) {
      throw new InvalidInputError(
        'unsupported-scheduler',
        'DDIM with clip_sample = true is not supported (an absent clip_sample means true in diffusers); set "clip_sample": false.',
      );
    }
    if (config.thresholding === true) {
      throw new InvalidInputError('unsupported-scheduler', 'DDIM with thresholding = true is not supported.');
    }
    this.alphas = alphasCumprod(config);
    // With set_alpha_to_one = false the last step lands on alphas_cumprod[0] instead of a clean 1.
    this.finalAlpha = (config.set_alpha_to_one ?? true) ? 1 : this.alphas[0]!;
  }

  protected computeTimesteps(n: number): number[] {
    const c = this.config;
    const ts = spacedTimesteps(c.timestep_spacing ?? 'leading', this.maxSteps, n, c.steps_offset ?? 0, true);
    // diffusers would index alphas_cumprod out of range here (leading + steps_offset at n = maxSteps, or the
    // trailing -1 from numpy's arange quirk) and crash or wrap around; we refuse up front.
    const bad = ts.find((t) => t < 0 || t >= this.maxSteps);
    if (bad !== undefined) {
      throw new InvalidInputError('steps-out-of-range', `DDIM cannot run ${n} steps with this config: it yields timestep ${bad}, outside 0..${this.maxSteps - 1}.`);
    }
    return ts;
  }

  scaleModelInput(i: number): number {
    this.checkIndex(i);
    return 1;
  }

  /** alphas_cumprod at t and at prev_t = t - num_train // num_inference (not the next timestep: diffusers' rule). */
  private alphaPair(i: number): [number, number] {
    this.checkIndex(i);
    const t = this.timesteps[i]!;
    const prev = t - Math.floor(this.maxSteps / this.numInferenceSteps);
    return [this.alphas[t]!, prev >= 0 ? this.alphas[prev]! : this.finalAlpha];
  }

  // prev = sqrt(ab_prev) * x0 + sqrt(1 - ab_prev) * eps, with (x0, eps) linear in (x, model output):
  //   epsilon:      x0 = (x - sqrt(1-ab) e) / sqrt(ab),  eps = e
  //   v_prediction: x0 = sqrt(ab) x - sqrt(1-ab) v,      eps = sqrt(ab) v + sqrt(1-ab) x
  coefficients(i: number): StepCoefficients {
    const [ab, abPrev] = this.alphaPair(i);
    const sa = Math.sqrt(ab), sb = Math.sqrt(1 - ab), sp = Math.sqrt(abPrev), sq = Math.sqrt(1 - abPrev);
    if (this.config.prediction_type === 'v_prediction') return { a: sp * sa + sq * sb, b: sq * sa - sp * sb, c: 0 };
    return { a: sp / sa, b: sq - (sp * sb) / sa, c: 0 };
  }

  denoisedCoefficients(i: number): DenoisedCoefficients {
    const [ab] = this.alphaPair(i);
    const sa = Math.sqrt(ab), sb = Math.sqrt(1 - ab);
    return this.config.prediction_type === 'v_prediction' ? { p: sa, q: -sb } : { p: 1 / sa, q: -sb / sa };
  }
}
