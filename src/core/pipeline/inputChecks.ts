/**
 * The checks of a generation's inputs, one per input, with their limits. The engine
 * (resolveRequest, sample) throws what they return; the page (src/app/lib/validate.ts) shows each
 * next to its input. One module, so the two never disagree on a limit or a message.
 */
import { InvalidInputError } from '../errors.ts';
import type { ModelEntry } from '../manifest.ts';

export const MAX_SEED = 0xffffffff;
export const MAX_GUIDANCE_SCALE = 50;
/** The longest query, in characters: the rewriter's limit (src/core/rewrite/llmRewriter.ts). */
export const MAX_QUERY_LENGTH = 2000;
/** Steps allowed when a model entry names no maxSteps. */
export const DEFAULT_MAX_STEPS = 1000;

/** A rejected value as the user gave it: the page passes the text as typed, quoted. */
const shown = (value: number, typed?: string) => (typed !== undefined ? `"${typed}"` : String(value));

export function promptError(prompt: string): InvalidInputError | undefined {
  const text = prompt.trim();
  if (text === '') return new InvalidInputError('empty-prompt', 'The prompt is empty: type what the picture should show.');
  if (text.length > MAX_QUERY_LENGTH) return new InvalidInputError('query-too-long', `The prompt has ${text.length} characters; the limit is ${MAX_QUERY_LENGTH}.`);
  return undefined;
}

export function seedError(seed: number, typed?: string): InvalidInputError | undefined {
  if (Number.isSafeInteger(seed) && seed >= 0 && seed <= MAX_SEED) return undefined;
  return new InvalidInputError('bad-seed', `The seed must be a whole number from 0 to ${MAX_SEED}, got ${shown(seed, typed)}.`);
}

export function stepsError(steps: number, entry: ModelEntry, typed?: string): InvalidInputError | undefined {
  const max = entry.maxSteps ?? DEFAULT_MAX_STEPS;
  if (Number.isInteger(steps) && steps >= 1 && steps <= max) return undefined;
  return new InvalidInputError('steps-out-of-range', `Steps must be a whole number from 1 to ${max} for "${entry.name}", got ${shown(steps, typed)}.`);
}

export function guidanceError(guidanceScale: number, typed?: string): InvalidInputError | undefined {
  if (Number.isFinite(guidanceScale) && guidanceScale >= 0 && guidanceScale <= MAX_GUIDANCE_SCALE) return undefined;
  return new InvalidInputError('bad-guidance', `The guidance scale must be a number from 0 to ${MAX_GUIDANCE_SCALE}, got ${shown(guidanceScale, typed)}.`);
}

/** Throws the error a check found. */
export function refuse(error: InvalidInputError | undefined): void {
  if (error) throw error;
}
