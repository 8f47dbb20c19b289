import { InvalidInputError } from '../errors.ts';
import { BaseScheduler } from './base.ts';
import { alphasCumprod } from './betas.ts';
import { interpUnit } from './numpy.ts';
import { spacedTimesteps } from './spacing.ts';
import type { DenoisedCoefficients, SchedulerConfig, StepCoefficients } from './types.ts';

const f32 = Math.fround;

/** diffusers' EulerDiscreteScheduler (s_churn = 0, linear interpolation, final sigma 0). */
export class EulerScheduler extends BaseScheduler {
  readonly kind: 'euler' | 'euler_ancestral' = 'euler';
  /** sigma at each training timestep (float32, as diffusers' torch ops give it). */
  private readonly trainSigmas: number[];
  /** sigmas[i] for step i, plus a trailing 0; float32 values like diffusers' self.sigmas. */
  protected sigmas: number[];

  constructor(config: SchedulerConfig) {
    super(config);
    const reject = (what: string): never => {
      throw new InvalidInputError('unsupported-scheduler', `Euler schedulers with ${what} are not supported.`);
    };
    if (config.use_karras_sigmas === true) reject('use_karras_sigmas = true');
    if (config.use_exponential_sigmas === true || config.use_beta_sigmas === true) reject('exponential or beta sigmas');
    if ((config.interpolation_type ?? 'linear') !== 'linear') reject(`interpolation_type "${String(config.interpolation_type)}"`);
    if ((config.final_sigmas_type ?? 'zero') !== 'zero') reject(`final_sigmas_type "${String(config.final_sigmas_type)}"`);
    if ((config.timestep_type ?? 'discrete') !== 'discrete') reject(`timestep_type "${String(config.timestep_type)}"`);
    this.trainSigmas = Array.from(alphasCumprod(config), (ab) => f32(Math.sqrt(f32(f32(1 - ab) / ab))));
    this.sigmas = [...this.trainSigmas].reverse().concat(0); // diffusers' state before set_timesteps
  }

  /** diffusers: max sigma for 'linspace' / 'trailing', sqrt(max^2 + 1) for 'leading' (all in float32). */
  get initNoiseSigma(): number {
    const max = Math.max(...this.sigmas);
    return this.spacing === 'leading' ? f32(Math.sqrt(f32(f32(max * max) + 1))) : max;
  }

  private get spacing(): 'leading' | 'trailing' | 'linspace' {
    return this.config.timestep_spacing ?? 'linspace';
  }

  protected computeTimesteps(n: number): number[] {
    const ts = spacedTimesteps(this.spacing, this.maxSteps, n, this.config.steps_offset ?? 0, false);
    this.sigmas = ts.map((t) => f32(interpUnit(t, this.trainSigmas))).concat(0);
    return ts;
  }

  scaleModelInput(i: number): number {
    this.checkIndex(i);
    const s = this.sigmas[i]!;
    return 1 / Math.sqrt(s * s + 1);
  }

  /**
   * x + d * dt with d = (x - x0) / sigma:
   *   epsilon:      x0 = x - sigma e                          -> d = e
   *   v_prediction: x0 = -sigma/sqrt(s2+1) v + x/(s2+1)       -> d = x sigma/(s2+1) + v/sqrt(s2+1)
   */
  protected linearStep(sigma: number, dt: number, c: number): StepCoefficients {
    if (this.config.prediction_type !== 'v_prediction') return { a: 1, b: dt, c };
    const k = sigma * sigma + 1;
    return { a: 1 + (dt * sigma) / k, b: dt / Math.sqrt(k), c };
  }

  coefficients(i: number): StepCoefficients {
    this.checkIndex(i);
    const sigma = this.sigmas[i]!;
    return this.linearStep(sigma, this.sigmas[i + 1]! - sigma, 0);
  }

  denoisedCoefficients(i: number): DenoisedCoefficients {
    this.checkIndex(i);
    const s = this.sigmas[i]!;
    if (this.config.prediction_type !== 'v_prediction') return { p: 1, q: -s };
    return { p: 1 / (s * s + 1), q: -s / Math.sqrt(s * s + 1) };
  }
}
