import { EulerScheduler } from './euler.ts';
import type { StepCoefficients } from './types.ts';

/**
 * diffusers' EulerAncestralDiscreteScheduler: same sigmas and x0 as Euler, but it steps deterministically to
 * sigma_down and adds fresh noise * sigma_up (the noise comes from the caller, so runs stay seeded).
 */
export class EulerAncestralScheduler extends EulerScheduler {
  override readonly kind = 'euler_ancestral' as const;

  override coefficients(i: number): StepCoefficients {
    this.checkIndex(i);
    const from = this.sigmas[i]!;
    const to = this.sigmas[i + 1]!;
    const up = Math.sqrt((to * to * (from * from - to * to)) / (from * from));
    const down = Math.sqrt(Math.max(0, to * to - up * up)); // max() only guards rounding below 0
    return this.linearStep(from, down - from, up);
  }
}
