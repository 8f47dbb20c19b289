import { InvalidInputError } from '../errors.ts';
import type { SchedulerConfig } from './types.ts';

const invalid = (field: string, why: string): InvalidInputError =>
  new InvalidInputError('invalid-scheduler-config', `scheduler_config.json: "${field}" ${why}.`);

/** Values diffusers knows but our linear-step schedulers cannot follow. */
const unsupported = (message: string): InvalidInputError => new InvalidInputError('unsupported-scheduler', message);

function oneOf<T extends string>(obj: Record<string, unknown>, field: string, allowed: readonly T[], known: readonly string[]): void {
  const v = obj[field];
  if (v === undefined) return;
  if (typeof v === 'string' && known.includes(v) && !allowed.includes(v as T)) {
    throw unsupported(`${field} "${v}" is not supported; use one of: ${allowed.join(', ')}.`);
  }
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw invalid(field, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
}

/**
 * Checks a parsed scheduler_config.json: the numbers we compute with must be there and sane, and the
 * optional fields we read must have the right type. Unknown extra fields are kept (diffusers ignores them too).
 */
export function parseSchedulerConfig(json: unknown): SchedulerConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidInputError('invalid-scheduler-config', 'scheduler_config.json must be a JSON object.');
  }
  const obj = json as Record<string, unknown>;
  const n = obj.num_train_timesteps;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw invalid('num_train_timesteps', `must be a whole number >= 1 (got ${JSON.stringify(n)})`);
  for (const field of ['beta_start', 'beta_end']) {
    const v = obj[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) throw invalid(field, `must be a number in [0, 1) (got ${JSON.stringify(v)})`);
  }
  if (obj.beta_schedule === undefined) throw invalid('beta_schedule', 'is missing');
  oneOf(obj, 'beta_schedule', ['linear', 'scaled_linear'], ['squaredcos_cap_v2']);
  oneOf(obj, 'prediction_type', ['epsilon', 'v_prediction'], ['sample', 'flow_prediction']);
  oneOf(obj, 'timestep_spacing', ['leading', 'trailing', 'linspace'], []);
  const offset = obj.steps_offset;
  if (offset !== undefined && (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0)) {
    throw invalid('steps_offset', `must be a whole number >= 0 (got ${JSON.stringify(offset)})`);
  }
  for (const field of ['set_alpha_to_one', 'clip_sample', 'use_karras_sigmas', 'thresholding', 'rescale_betas_zero_snr']) {
    const v = obj[field];
    if (v !== undefined && typeof v !== 'boolean') throw invalid(field, `must be true or false (got ${JSON.stringify(v)})`);
  }
  for (const field of ['_class_name', 'interpolation_type']) {
    const v = obj[field];
    if (v !== undefined && typeof v !== 'string') throw invalid(field, `must be a string (got ${JSON.stringify(v)})`);
  }
  // Features that change the schedule for every scheduler kind.
  if (obj.trained_betas !== undefined && obj.trained_betas !== null) throw unsupported('trained_betas is not supported.');
  if (obj.rescale_betas_zero_snr === true) throw unsupported('rescale_betas_zero_snr = true is not supported.');
  return { ...obj } as SchedulerConfig;
}
