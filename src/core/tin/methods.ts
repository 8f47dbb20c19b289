/**
 * The methods the ORES benchmark compares, behind one interface. Each method turns one case (the
 * user's query u and the banned concepts) into the conditioning schedule of the sampling loop:
 * which prompt and which negative prompt condition each of the T denoising steps. Nothing here
 * runs a model, so every schedule is checked in unit tests.
 *
 * - ORIGINAL: u at every step, empty negative (no policy).
 * - BLACK LIST: u with the concept words deleted (whole words, case-insensitive), as a word filter would.
 * - NEGATIVE PROMPT: u at every step, the concept as the negative prompt under CFG.
 * - TIN: u for steps 0..S-1, the rewrite u' from step S (the paper's method).
 * - TIN w/o learnable instruction: the same switch, u' written with a plain instruction.
 * - TIN w/o prompt intervention: u' from step 0 (no switch).
 * - TIN + NEG: the switch, and from step S the concept as the negative prompt as well
 *   (a training-free combination with negative prompting; see docs/benchmark.md).
 * - SLD: Safe Latent Diffusion's guidance away from the concept (preset STRONG), on the query.
 * - TIN + SLD: the switch at S, and SLD (STRONG) with its warmup at S.
 * - APP: TIN exactly as the app applies a policy: S from the compiled policy (switch step by
 *   concept), and output verification with retries (the runner does both; see benchmark.ts).
 * - TIN + MASK: u at every step, and from step S u' as well in the same UNet batch; u' conditions
 *   the step only where its noise prediction differs from u's (a mask built up over the steps).
 */
import { InvalidInputError } from '../errors.ts';
import { checkSwitchStep, switchSchedule, constantSchedule, type ConditioningSchedule, type PromptSource, type SafetyGuidance } from '../pipeline/schedule.ts';
import type { GenerateRequest } from '../pipeline/request.ts';

/** Which instruction the rewrite u -> u' is written with. */
export type RewriteVariant = 'learned' | 'plain';

export const METHOD_IDS = ['original', 'blacklist', 'negative', 'tin', 'tin-plain', 'tin-noswitch', 'tin-neg', 'sld', 'tin-sld', 'tin-mask', 'app', 'app-mask'] as const;
export type MethodId = (typeof METHOD_IDS)[number];
/** What "all" runs: every method but APP, which needs the model's judge and a second one to measure it. */
/** Methods that enforce a policy as the app does (compiled policy, verification): they need two judges. */
export const ENFORCED_METHOD_IDS: readonly MethodId[] = ['app', 'app-mask'];
export const ALL_METHOD_IDS: readonly MethodId[] = METHOD_IDS.filter((id) => !ENFORCED_METHOD_IDS.includes(id));

export interface MethodInput {
  /** The user's query u. */
  readonly query: string;
  /** The banned concepts (at least one). */
  readonly concepts: readonly string[];
  /** T, the number of denoising steps. */
  readonly steps: number;
  /** S, the step from which the rewrite conditions the loop (0..T). */
  readonly switchStep: number;
  /**
   * u' for the method's rewrite variant (`method.rewrite`). A function while it is still being
   * written: the loop calls it at the first step that needs it and waits only there.
   */
  readonly rewritten?: PromptSource;
  /** The unconditional text of every step (the user's own negative prompt in the app); default ''. */
  readonly negative?: string;
}

export interface Method {
  /** A base id ("tin"), or a base id with its own switch step ("tin@2"). */
  readonly id: string;
  readonly base: MethodId;
  /** As in the paper's tables. */
  readonly label: string;
  readonly description: string;
  /** Which rewrite the method needs; null: none. */
  readonly rewrite: RewriteVariant | null;
  /** Whether the schedule depends on S (so "name@S" variants make sense). */
  readonly usesSwitch: boolean;
  schedule(input: MethodInput): ConditioningSchedule;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * BLACK LIST: deletes every occurrence of each concept as a whole word or phrase, ignoring case,
 * and tidies the spaces and punctuation left behind. Nothing else: no synonyms, no plurals, no
 * implicit phrases, which is exactly how a word blacklist fails.
 */
export function blacklistQuery(query: string, concepts: readonly string[]): string {
  let text = query;
  const words = [...concepts].map((c) => c.trim()).filter((c) => c.length > 0);
  words.sort((a, b) => b.length - a.length);
  for (const w of words) {
    const phrase = w.split(/\s+/).map(escapeRegExp).join('\\s+');
    text = text.replace(new RegExp(`(?<![\\p{L}\\p{N}])${phrase}(?![\\p{L}\\p{N}])`, 'giu'), ' ');
  }
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/^[\s,;:]+|[\s,;:]+$/g, '')
    .trim();
}

/**
 * SLD's STRONG preset (diffusers' SafetyConfig.STRONG: warmup 7 of its 50 default steps, scale 2000,
 * threshold 0.025, momentum 0.5, beta 0.7); the warmup is kept as a fraction of T.
 */
export const SLD_STRONG = { warmupFraction: 7 / 50, scale: 2000, threshold: 0.025, momentum: 0.5, beta: 0.7 } as const;

function sldSettings(prompt: number, warmup: number): SafetyGuidance {
  const { scale, threshold, momentum, beta } = SLD_STRONG;
  return { prompt, warmup, scale, threshold, momentum, beta };
}

/** The negative prompt naming the concepts. */
export const conceptNegative = (concepts: readonly string[]): string => concepts.join(', ');

function needRewrite(input: MethodInput, id: MethodId): PromptSource {
  if (input.rewritten === undefined) {
    throw new InvalidInputError('missing-rewrite', `Method "${id}" needs the rewritten query u', but none was given.`);
  }
  return input.rewritten;
}

function checkInput(input: MethodInput): void {
  if (input.query.trim() === '') throw new InvalidInputError('empty-prompt', 'The query is empty.');
  if (input.concepts.length === 0) throw new InvalidInputError('no-concepts', 'No banned concept was given.');
  if (!Number.isInteger(input.steps) || input.steps < 1) {
    throw new InvalidInputError('steps-out-of-range', `T must be a positive whole number, got ${input.steps}.`);
  }
}

const SWITCHING: readonly MethodId[] = ['tin', 'tin-plain', 'tin-neg', 'tin-sld', 'tin-mask'];

/** tin-mask's mask settings (tuned on bench/cases/tiny-world.tsv; bench/results/tiny-world-mask-tuning). */
export const TIN_MASK = { threshold: 0.65, ramp: 0.2 } as const;

/** tin-mask's schedule: u throughout, u' inside the mask from step S. */
export function maskedSchedule(steps: number, switchStep: number, userPrompt: PromptSource, rewritten: PromptSource, settings: { threshold: number; ramp: number } = TIN_MASK): ConditioningSchedule {
  return { ...constantSchedule(steps, userPrompt, ''), prompts: [userPrompt, '', rewritten], mask: { prompt: 2, from: switchStep, ...settings } };
}

const build = (id: MethodId, label: string, rewrite: RewriteVariant | null, description: string, f: (i: MethodInput) => ConditioningSchedule): Method => ({
  id,
  base: id,
  label,
  rewrite,
  description,
  usesSwitch: SWITCHING.includes(id),
  schedule(input) {
    checkInput(input);
    return f(input);
  },
});

export const METHODS: Readonly<Record<MethodId, Method>> = {
  original: build('original', 'ORIGINAL', null, "The user's query at every step, no policy.", (i) => constantSchedule(i.steps, i.query, i.negative ?? '')),
  blacklist: build('blacklist', 'BLACK LIST', null, 'The concept words deleted from the query (whole words, any case).', (i) =>
    constantSchedule(i.steps, blacklistQuery(i.query, i.concepts), i.negative ?? ''),
  ),
  negative: build('negative', 'NEGATIVE PROMPT', null, 'The query at every step, the concept as the negative prompt under CFG.', (i) =>
    constantSchedule(i.steps, i.query, conceptNegative([...(i.negative ? [i.negative] : []), ...i.concepts])),
  ),
  tin: build('tin', 'TIN', 'learned', "The query for steps 0..S-1, the rewrite (learned instruction) from step S.", (i) =>
    switchSchedule(i.steps, i.switchStep, i.query, needRewrite(i, 'tin'), i.negative ?? ''),
  ),
  'tin-plain': build('tin-plain', 'TIN w/o learnable instruction', 'plain', 'The same switch; the rewrite written with a plain instruction.', (i) =>
    switchSchedule(i.steps, i.switchStep, i.query, needRewrite(i, 'tin-plain'), ''),
  ),
  'tin-noswitch': build('tin-noswitch', 'TIN w/o prompt intervention', 'learned', 'The rewrite at every step (no switch: S = 0).', (i) =>
    switchSchedule(i.steps, 0, i.query, needRewrite(i, 'tin-noswitch'), ''),
  ),
  'tin-neg': build('tin-neg', 'TIN + NEG', 'learned', 'The switch at S, and from step S the concept as the negative prompt too.', (i) => {
    const rewritten = needRewrite(i, 'tin-neg');
    const base = switchSchedule(i.steps, i.switchStep, i.query, rewritten, ''); // validates S
    return {
      prompts: [i.query, rewritten, '', conceptNegative(i.concepts)],
      steps: base.steps.map((s, k) => (k < i.switchStep ? { prompt: 0, negative: 2 } : { prompt: 1, negative: 3 })),
    };
  }),
  app: build('app', 'APP (TIN as the app applies it)', 'learned', "TIN with the compiled policy's switch step by concept, every image verified by the model's judge, regenerated (S = 0, next seed) or refused.", (i) =>
    switchSchedule(i.steps, i.switchStep, i.query, needRewrite(i, 'app'), i.negative ?? ''),
  ),
  'app-mask': build('app-mask', 'APP + MASK (TIN + MASK as the app applies it)', 'learned', "TIN + MASK where the compiled policy allows it (TIN when a concept is the layout), verified and regenerated or refused like APP.", (i) => {
    checkSwitchStep(i.switchStep, i.steps);
    return maskedSchedule(i.steps, i.switchStep, i.query, needRewrite(i, 'app-mask'));
  }),
  sld: build('sld', 'SLD (strong)', null, "Safe Latent Diffusion's guidance away from the concept (STRONG preset) on the query.", (i) => ({
    ...constantSchedule(i.steps, i.query, ''),
    prompts: [i.query, '', conceptNegative(i.concepts)],
    safety: sldSettings(2, Math.round(SLD_STRONG.warmupFraction * i.steps)),
  })),
  'tin-sld': build('tin-sld', 'TIN + SLD', 'learned', 'The switch at S, and SLD (STRONG) away from the concept from step S.', (i) => {
    const rewritten = needRewrite(i, 'tin-sld');
    return { ...switchSchedule(i.steps, i.switchStep, i.query, rewritten, ''), prompts: [i.query, rewritten, '', conceptNegative(i.concepts)], safety: sldSettings(3, i.switchStep) };
  }),
  'tin-mask': build('tin-mask', 'TIN + MASK', 'learned', "The query at every step; from step S the rewrite too, in the same batch, conditioning only where its prediction differs (a mask).", (i) => {
    checkSwitchStep(i.switchStep, i.steps);
    return maskedSchedule(i.steps, i.switchStep, i.query, needRewrite(i, 'tin-mask'));
  }),
};

/** A switching method with its own S, whatever the run's S is ("tin@2": TIN switching at step 2). */
export function withSwitchStep(m: Method, switchStep: number): Method {
  if (!m.usesSwitch) throw new InvalidInputError('bad-methods', `Method "${m.base}" does not switch at S, so "${m.base}@${switchStep}" means nothing.`);
  if (!Number.isInteger(switchStep) || switchStep < 0) throw new InvalidInputError('bad-methods', `"${m.base}@${switchStep}": S must be a whole number of steps.`);
  return { ...m, id: `${m.base}@${switchStep}`, label: `${m.label} (S=${switchStep})`, schedule: (i) => m.schedule({ ...i, switchStep }) };
}

/**
 * Parses a comma-separated method list ("original,tin,tin@2,...") or "all"; "name@S" is a
 * switching method with its own switch step. Unknown names get a clear error.
 */
export function parseMethodList(spec: string): Method[] {
  const names = spec
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new InvalidInputError('bad-methods', 'No method was named.');
  const ids = names.flatMap((n) => (n === 'all' ? [...ALL_METHOD_IDS] : [n]));
  const out: Method[] = [];
  for (const n of ids) {
    const [name, at] = n.split('@') as [string, string | undefined];
    const base = (METHODS as Record<string, Method | undefined>)[name];
    if (!base) throw new InvalidInputError('bad-methods', `Unknown method "${name}". Known: ${METHOD_IDS.join(', ')} (or "all", which is every one but app); switching ones take "@S" (e.g. tin@2).`);
    if (at !== undefined && !/^\d+$/.test(at)) throw new InvalidInputError('bad-methods', `"${n}": S after "@" must be a whole number of steps.`);
    const m = at === undefined ? base : withSwitchStep(base, Number(at));
    if (!out.some((x) => x.id === m.id)) out.push(m);
  }
  return out;
}

/** The engine request of one method for one case and seed: always a full schedule. */
export function methodRequest(method: Method, input: MethodInput, seed: number, guidanceScale?: number): GenerateRequest {
  return { prompt: input.query, seed, steps: input.steps, guidanceScale, schedule: method.schedule(input) };
}
