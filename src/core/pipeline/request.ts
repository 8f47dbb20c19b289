import { InvalidInputError } from '../errors.ts';
import type { ModelEntry } from '../manifest.ts';
import { constantSchedule, switchSchedule, type ConditioningSchedule, type PromptSource } from './schedule.ts';

/** What a user (or the TIN method) asks the engine for. */
export interface GenerateRequest {
  prompt: string;
  negativePrompt?: string;
  steps?: number;
  guidanceScale?: number;
  seed: number;
  /** TIN: switch the conditioning to `rewritten` from step `at` (0..T). */
  intervention?: { rewritten: PromptSource; at: number };
  /** A full schedule instead of prompt/negative/intervention (baselines, ablations). */
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
  const negative = r.negativePrompt ?? '';
  const schedule =
    r.schedule ??
    (r.intervention
      ? switchSchedule(steps, r.intervention.at, r.prompt, r.intervention.rewritten, negative)
      : constantSchedule(steps, r.prompt, negative));
  return { steps, guidanceScale: r.guidanceScale ?? entry.defaults.guidanceScale, seed: r.seed, schedule, previewEvery: r.previewEvery };
}
