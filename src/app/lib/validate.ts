/**
 * Turns what the user typed into a generation request, or into specific errors per field (with
 * the same codes and wording the engine uses), before any GPU work.
 */
import { InvalidInputError, type OresError } from '../../core/errors.ts';
import { ERROR_CODES, type ErrorCode, type Field as CodeField } from '../../core/errorCodes.ts';
import { splitConcepts } from '../../core/guard/guard.ts';
import { phraseKey } from '../../core/guard/normalize.ts';
import type { ModelEntry } from '../../core/manifest.ts';
import { MAX_GUIDANCE_SCALE } from '../../core/pipeline/pipeline.ts';
import { switchStepFromFraction } from '../../core/pipeline/schedule.ts';
import { MAX_QUERY_LENGTH } from '../../core/rewrite/llmRewriter.ts';

/** Where an error is shown: next to the input that caused it. */
export type Field = Exclude<CodeField, 'cli'>;

export interface Inputs {
  prompt: string;
  negativePrompt: string;
  seed: string;
  steps: string;
  guidance: string;
  switchFraction: number;
  /** The policy field as typed (absent in a kiosk, whose concepts come from its policy). */
  concepts?: string;
}

export interface ValidInputs {
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  guidanceScale: number;
  /** S: the first S steps on u, the rest on u'. */
  switchStep: number;
}

export type Validation = { ok: true; value: ValidInputs } | { ok: false; errors: Partial<Record<Field, OresError>> };

const MAX_SEED = 0xffffffff;

export function validateInputs(input: Inputs, entry: ModelEntry): Validation {
  const errors: Partial<Record<Field, OresError>> = {};
  const prompt = input.prompt.trim();
  if (prompt === '') errors.prompt = new InvalidInputError('empty-prompt', 'The prompt is empty: type what the picture should show.');
  else if (prompt.length > MAX_QUERY_LENGTH) {
    errors.prompt = new InvalidInputError('query-too-long', `The prompt has ${prompt.length} characters; the limit is ${MAX_QUERY_LENGTH}.`);
  }

  const seedText = input.seed.trim();
  const seed = /^\d+$/.test(seedText) ? Number(seedText) : NaN;
  if (!(Number.isSafeInteger(seed) && seed >= 0 && seed <= MAX_SEED)) {
    errors.seed = new InvalidInputError('bad-seed', `The seed must be a whole number from 0 to ${MAX_SEED}, got "${input.seed}".`);
  }

  const max = entry.maxSteps ?? 1000;
  const stepsText = input.steps.trim();
  const steps = /^\d+$/.test(stepsText) ? Number(stepsText) : NaN;
  if (!(Number.isInteger(steps) && steps >= 1 && steps <= max)) {
    errors.steps = new InvalidInputError('steps-out-of-range', `Steps must be a whole number from 1 to ${max} for "${entry.name}", got "${input.steps}".`);
  }

  const guidanceText = input.guidance.trim();
  const guidanceScale = guidanceText === '' ? NaN : Number(guidanceText);
  if (!(Number.isFinite(guidanceScale) && guidanceScale >= 0 && guidanceScale <= MAX_GUIDANCE_SCALE)) {
    errors.guidance = new InvalidInputError('bad-guidance', `The guidance scale must be a number from 0 to ${MAX_GUIDANCE_SCALE}, got "${input.guidance}".`);
  }

  // "," or " ; " bans nothing: say so rather than generate without a policy
  if (input.concepts !== undefined && input.concepts.trim() !== '' && splitConcepts(input.concepts).every((c) => phraseKey(c) === '')) {
    errors.concepts = new InvalidInputError('no-concepts', `The banned concepts field ("${input.concepts.trim().slice(0, 40)}") names no concept: write words separated by commas, or leave it empty for no policy.`);
  }

  let switchStep = 0;
  if (!errors.steps) {
    try {
      switchStep = switchStepFromFraction(steps, input.switchFraction);
    } catch (e) {
      errors.switch = e as OresError;
    }
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { prompt, negativePrompt: input.negativePrompt.trim(), seed, steps, guidanceScale, switchStep } };
}

/** The banned concepts of the policy field. */
export const parseConcepts = (field: string): string[] => splitConcepts(field);

/** Which input an error belongs to, by its code (the typed table of src/core/errorCodes.ts); CLI-only codes show with the run. */
export function fieldForCode(code: ErrorCode): Exclude<Field, 'cli'> {
  const field = ERROR_CODES[code];
  return field === 'cli' ? 'run' : field;
}
