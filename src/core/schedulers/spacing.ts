import { arange, linspace, roundHalfEven } from './numpy.ts';

export type Spacing = 'leading' | 'trailing' | 'linspace';

/**
 * The timestep_spacing branches of diffusers' set_timesteps, in descending order.
 * `integer` = DDIM (int64: linspace values are rounded); otherwise Euler (float32: linspace keeps fractions).
 * Note diffusers adds steps_offset only for 'leading'.
 */
export function spacedTimesteps(spacing: Spacing, numTrain: number, steps: number, stepsOffset: number, integer: boolean): number[] {
  switch (spacing) {
    case 'linspace': {
      const ts = linspace(0, numTrain - 1, steps).reverse();
      return ts.map(integer ? roundHalfEven : Math.fround);
    }
    case 'leading': {
      const ratio = Math.floor(numTrain / steps);
      return Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + stepsOffset);
    }
    case 'trailing':
      return arange(numTrain, 0, -numTrain / steps).map((t) => roundHalfEven(t) - 1);
  }
}
