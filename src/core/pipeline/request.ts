import { InvalidInputError } from '../errors.ts';
import type { ModelEntry } from '../manifest.ts';
import { constantSchedule, type ConditioningSchedule } from './schedule.ts';

/**
 * The one request for a generation, from the page through the worker to the loop and the
 * benchmark. `prompt` is the user's query u. Without `schedule` every step is conditioned on
 * `prompt` and `negativePrompt`; with one, the schedule says which prompt conditions each step
 * (every method of src/core/tin/methods.ts is a schedule: TIN's switch at S, SLD's safety concept).
 */
export interface GenerateRequest {
  prompt: string;
  negativePrompt?: string;
  steps?: number;
  guidanceScale?: number;
  seed: number;
  schedule?: ConditioningSchedule;
  previewEvery?: number;
}

export interface ResolvedRequest {
  steps: number;
  guidanceScale: number;
  seed: number;
  schedule: ConditioningSchedule;
  previewEvery?: number;
}

/** Fills model defaults and turns bad input into specific errors before any GPU work. */
export function resolveRequest(entry: ModelEntry, r: GenerateRequest): ResolvedRequest {
  if (typeof r.prompt !== 'string' || r.prompt.trim() === '') {
    throw new InvalidInputError('empty-prompt', 'The prompt is empty: type what the picture should show.');
  }
  if (typeof r.seed !== 'number' || !Number.isSafeInteger(r.seed) || r.seed < 0 || r.seed > 0xffffffff) {
    throw new InvalidInputError('bad-seed', `The seed must be a whole number from 0 to 4294967295, got ${String(r.seed)}.`);
  }
  const steps = r.steps ?? entry.defaults.steps;
  const max = entry.maxSteps ?? 1000;
  if (!Number.isInteger(steps) || steps < 1 || steps > max) {
    throw new InvalidInputError('steps-out-of-range', `Steps must be a whole number from 1 to ${max} for "${entry.name}", got ${steps}.`);
  }
  const schedule = r.schedule ?? constantSchedule(steps, r.prompt, r.negativePrompt ?? '');
  return { steps, guidanceScale: r.guidanceScale ?? entry.defaults.guidanceScale, seed: r.seed, schedule, previewEvery: r.previewEvery };
}
