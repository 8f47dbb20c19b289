/**
 * Turns what the user typed into a generation request, or into specific errors per field, before
 * any GPU work. The checks and their messages are the engine's (src/core/pipeline/inputChecks.ts);
 * here the text becomes numbers and each error goes to its field.
 */
import { InvalidInputError, type OresError } from '../../core/errors.ts';
import { ERROR_CODES, type ErrorCode, type Field as CodeField } from '../../core/errorCodes.ts';
import { splitConcepts } from '../../core/guard/guard.ts';
import { phraseKey } from '../../core/guard/normalize.ts';
import type { ModelEntry } from '../../core/manifest.ts';
import { guidanceError, promptError, seedError, stepsError } from '../../core/pipeline/inputChecks.ts';
import { switchStepFromFraction } from '../../core/pipeline/schedule.ts';

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

export function validateInputs(input: Inputs, entry: ModelEntry): Validation {
  const errors: Partial<Record<Field, OresError>> = {};
  const wholeNumber = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN);
  const prompt = input.prompt.trim();
  const seed = wholeNumber(input.seed);
  const steps = wholeNumber(input.steps);
  const guidanceScale = input.guidance.trim() === '' ? NaN : Number(input.guidance.trim());
  const checked: [Field, OresError | undefined][] = [
    ['prompt', promptError(prompt)],
    ['seed', seedError(seed, input.seed)],
    ['steps', stepsError(steps, entry, input.steps)],
    ['guidance', guidanceError(guidanceScale, input.guidance)],
  ];
  for (const [field, error] of checked) if (error) errors[field] = error;

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
