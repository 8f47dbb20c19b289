import { InvalidInputError } from '../errors.ts';

/** A prompt the loop may need later: TIN's rewrite arrives while the first S steps denoise. */
export type PromptSource = string | (() => Promise<string>);

/** Which prompt (and which negative prompt) conditions each denoising step. */
export interface ConditioningSchedule {
  /** Distinct prompt texts; each is encoded once however many steps use it. */
  prompts: PromptSource[];
  /** One entry per step: indices into `prompts`. */
  steps: { prompt: number; negative: number }[];
  /**
   * Safe Latent Diffusion (optional, needs guidance > 1): the UNet runs on a batch of 3 (negative,
   * prompt, safety concept) and SLD's guidance steers away from `prompts[safety.prompt]` from step
   * `warmup` on (its momentum builds from step 0).
   */
  safety?: SafetyGuidance;
  /**
   * TIN with a mask (optional, needs guidance > 1; not with `safety`): from step `from` the UNet also
   * runs on `prompts[mask.prompt]` (the rewrite u') in the same batch (negative, prompt, u'), and u'
   * conditions the step only where the two predictions disagree (public/graphs/masked_guidance.onnx).
   */
  mask?: MaskedIntervention;
}

/** tin-mask's settings: which prompt is u', from which step, and how the disagreement becomes a mask. */
export interface MaskedIntervention {
  prompt: number;
  from: number;
  /** The running mean of the normalised disagreement (0..1) above which u' takes over. */
  threshold: number;
  /** Width of the soft edge around the threshold (> 0; small: nearly a hard mask). */
  ramp: number;
}

/** SLD's settings, as diffusers' SafetyConfig names them (sld_guidance_scale, sld_threshold, ...). */
export interface SafetyGuidance {
  prompt: number;
  warmup: number;
  scale: number;
  threshold: number;
  momentum: number;
  beta: number;
}

/** Every step conditioned on `prompt`, with `negative` as the unconditional text. */
export function constantSchedule(steps: number, prompt: PromptSource, negative: PromptSource = ''): ConditioningSchedule {
  return { prompts: [prompt, negative], steps: Array.from({ length: steps }, () => ({ prompt: 0, negative: 1 })) };
}

/** The one range check of S: a whole step from 0 (the rewrite throughout) to T (no switch). */
export function checkSwitchStep(switchStep: number, steps: number): void {
  if (!Number.isInteger(switchStep) || switchStep < 0 || switchStep > steps) {
    throw new InvalidInputError('switch-out-of-range', `The switch step S must be an integer from 0 to ${steps} (T), got ${switchStep}.`);
  }
}

/**
 * TIN's prompt intervention: steps 0..S-1 on the user's query (layout and content), steps S..T-1
 * on the rewritten query. S = 0 uses the rewrite throughout; S = T never switches.
 */
export function switchSchedule(
  steps: number,
  switchStep: number,
  userPrompt: PromptSource,
  rewritten: PromptSource,
  negative: PromptSource = '',
): ConditioningSchedule {
  checkSwitchStep(switchStep, steps);
  return {
    prompts: [userPrompt, rewritten, negative],
    steps: Array.from({ length: steps }, (_, i) => ({ prompt: i < switchStep ? 0 : 1, negative: 2 })),
  };
}

/** S as a fraction of T, as the paper's S of 2-4 out of 20 DDIM steps. */
export function switchStepFromFraction(steps: number, fraction: number): number {
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new InvalidInputError('switch-out-of-range', `The switch fraction must be between 0 and 1, got ${fraction}.`);
  }
  return Math.round(steps * fraction);
}

export function validateSchedule(schedule: ConditioningSchedule, steps: number): void {
  if (schedule.steps.length !== steps) {
    throw new InvalidInputError('bad-schedule', `The conditioning schedule has ${schedule.steps.length} entries but ${steps} steps were requested.`);
  }
  const sld = schedule.safety;
  if (sld) {
    if (!Number.isInteger(sld.prompt) || sld.prompt < 0 || sld.prompt >= schedule.prompts.length) {
      throw new InvalidInputError('bad-schedule', `The safety concept names prompt ${sld.prompt}, which does not exist.`);
    }
    if (!Number.isInteger(sld.warmup) || sld.warmup < 0 || sld.warmup > steps) {
      throw new InvalidInputError('bad-schedule', `The safety guidance warmup must be a step from 0 to ${steps}, got ${sld.warmup}.`);
    }
    for (const k of ['scale', 'threshold', 'momentum', 'beta'] as const) {
      if (!Number.isFinite(sld[k])) throw new InvalidInputError('bad-schedule', `The safety guidance ${k} must be a number, got ${sld[k]}.`);
    }
  }
  const mask = schedule.mask;
  if (mask) {
    if (sld) throw new InvalidInputError('bad-schedule', 'A schedule cannot have both safety guidance (SLD) and a mask.');
    if (!Number.isInteger(mask.prompt) || mask.prompt < 0 || mask.prompt >= schedule.prompts.length) {
      throw new InvalidInputError('bad-schedule', `The mask names prompt ${mask.prompt}, which does not exist.`);
    }
    checkSwitchStep(mask.from, steps);
    if (!(mask.threshold >= 0 && mask.threshold <= 1)) throw new InvalidInputError('bad-schedule', `The mask threshold must be between 0 and 1, got ${mask.threshold}.`);
    if (!(mask.ramp > 0 && Number.isFinite(mask.ramp))) throw new InvalidInputError('bad-schedule', `The mask ramp must be a positive number, got ${mask.ramp}.`);
  }
  schedule.steps.forEach((s, i) => {
    for (const index of [s.prompt, s.negative]) {
      if (!Number.isInteger(index) || index < 0 || index >= schedule.prompts.length) {
        throw new InvalidInputError('bad-schedule', `Step ${i} of the conditioning schedule names prompt ${index}, which does not exist.`);
      }
    }
  });
}
