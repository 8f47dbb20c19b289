import { InvalidInputError } from '../errors.ts';
import type { DenoisedCoefficients, Scheduler, SchedulerConfig, SchedulerKind, StepCoefficients } from './types.ts';

/** What the three schedulers share: step-count checks, index checks, and step() as the linear map. */
export abstract class BaseScheduler implements Scheduler {
  abstract readonly kind: SchedulerKind;
  abstract readonly initNoiseSigma: number;
  readonly maxSteps: number;
  protected numInferenceSteps = 0;
  private ts: readonly number[] = [];

  constructor(protected readonly config: SchedulerConfig) {
    this.maxSteps = config.num_train_timesteps;
  }

  get timesteps(): readonly number[] {
    return this.ts;
  }

  setTimesteps(numInferenceSteps: number): void {
    const n = numInferenceSteps;
    if (!Number.isInteger(n) || n < 1 || n > this.maxSteps) {
      throw new InvalidInputError('steps-out-of-range', `Steps must be a whole number from 1 to ${this.maxSteps}, got ${n}.`);
    }
    this.ts = this.computeTimesteps(n);
    this.numInferenceSteps = n;
  }

  /** Builds the timesteps (and any per-step state) for n steps. */
  protected abstract computeTimesteps(n: number): number[];
  abstract scaleModelInput(i: number): number;
  abstract coefficients(i: number): StepCoefficients;
  abstract denoisedCoefficients(i: number): DenoisedCoefficients;

  /** Programmer errors (not user input), so plain RangeErrors. */
  protected checkIndex(i: number): void {
    if (this.ts.length === 0) throw new RangeError('Call setTimesteps() before using the scheduler.');
    if (!Number.isInteger(i) || i < 0 || i >= this.ts.length) {
      throw new RangeError(`Step index ${i} is outside 0..${this.ts.length - 1}.`);
    }
  }

  step(i: number, modelOutput: Float32Array, sample: Float32Array, noise?: Float32Array): Float32Array {
    const { a, b, c } = this.coefficients(i);
    const n = sample.length;
    if (modelOutput.length !== n) throw new RangeError(`modelOutput has ${modelOutput.length} values, sample has ${n}.`);
    if (c !== 0 && noise === undefined) throw new RangeError(`${this.kind} step ${i} needs noise.`);
    if (noise !== undefined && noise.length !== n) throw new RangeError(`noise has ${noise.length} values, sample has ${n}.`);
    const out = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      const x = a * sample[k]! + b * modelOutput[k]!;
      out[k] = c === 0 ? x : x + c * noise![k]!;
    }
    return out;
  }
}
