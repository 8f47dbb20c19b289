/** Fields of diffusers' scheduler_config.json that we read (anything else is kept but ignored). */
export interface SchedulerConfig {
  _class_name?: string;
  num_train_timesteps: number;
  beta_start: number;
  beta_end: number;
  beta_schedule: 'linear' | 'scaled_linear';
  prediction_type?: 'epsilon' | 'v_prediction'; // default epsilon
  set_alpha_to_one?: boolean; // DDIM only; diffusers' default true
  steps_offset?: number; // default 0
  /** Default depends on the scheduler, as in diffusers: DDIM 'leading', Euler / Euler-a 'linspace'. */
  timestep_spacing?: 'leading' | 'trailing' | 'linspace';
  clip_sample?: boolean; // DDIM only; diffusers' default true, which we reject (clipping is not linear)
  use_karras_sigmas?: boolean;
  interpolation_type?: string;
  [key: string]: unknown;
}

/**
 * One step as a linear map: x_next = a*x + b*modelOutput + c*noise. Every supported scheduler (DDIM eta=0,
 * Euler, Euler-a; epsilon or v-prediction) has this form, which lets the GPU run the step as one tiny graph.
 */
export interface StepCoefficients {
  a: number;
  b: number;
  c: number;
}

/** diffusers' pred_original_sample (the x0 estimate, for previews) as x0 = p*x + q*modelOutput. */
export interface DenoisedCoefficients {
  p: number;
  q: number;
}

export type SchedulerKind = 'ddim' | 'euler' | 'euler_ancestral';

export interface Scheduler {
  readonly kind: SchedulerKind;
  readonly maxSteps: number; // num_train_timesteps
  /**
   * Set by setTimesteps: the value passed to the UNet at step i (fractional for Euler 'linspace'; the caller
   * rounds for int64 inputs). Loop over timesteps.length: like diffusers, a few 'trailing' step counts
   * (61, 103, ...) yield one timestep more than asked, because of numpy's arange.
   */
  readonly timesteps: readonly number[];
  readonly initNoiseSigma: number; // initial latents = standard normal * initNoiseSigma
  /** Throws InvalidInputError 'steps-out-of-range' unless an integer in 1..maxSteps. */
  setTimesteps(numInferenceSteps: number): void;
  /** Factor the latents are multiplied by before the UNet at step i (DDIM: 1; Euler: 1/sqrt(sigma^2+1)). */
  scaleModelInput(i: number): number;
  /** c = 0 unless ancestral. */
  coefficients(i: number): StepCoefficients;
  /** The x0 estimate diffusers' step() returns as pred_original_sample. */
  denoisedCoefficients(i: number): DenoisedCoefficients;
  /** Pure: a new array equal to the coefficients applied elementwise, and to diffusers' step() output. */
  step(i: number, modelOutput: Float32Array, sample: Float32Array, noise?: Float32Array): Float32Array;
}
