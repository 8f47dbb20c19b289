import type { ModelEntry } from '../manifest.ts';
import { guidanceError, promptError, refuse, seedError, stepsError } from './inputChecks.ts';
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
  // A request from the wire may hold anything: a missing prompt is an empty one, a seed that is no number is NaN.
  refuse(promptError(typeof r.prompt === 'string' ? r.prompt : ''));
  refuse(seedError(typeof r.seed === 'number' ? r.seed : NaN));
  const steps = r.steps ?? entry.defaults.steps;
  refuse(stepsError(steps, entry));
  const guidanceScale = r.guidanceScale ?? entry.defaults.guidanceScale;
  refuse(guidanceError(guidanceScale));
  const schedule = r.schedule ?? constantSchedule(steps, r.prompt, r.negativePrompt ?? '');
  return { steps, guidanceScale, seed: r.seed, schedule, previewEvery: r.previewEvery };
}
