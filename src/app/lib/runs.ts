/**
 * The generations one click makes, in order, on the one diffusion worker, each a method of the
 * benchmark (src/core/tin/methods.ts) so the page runs exactly what the benchmark measures:
 *   TIN         steps 0..S-1 on u, S..T-1 on u' (u' arrives while the first steps denoise);
 *   ORIGINAL    u only (educators: what the user would have got);
 *   BLACK LIST  u with the concept words deleted (the word filter that synonyms defeat);
 *   NEGATIVE    u with the banned concepts as negative prompt (the paper's baseline).
 *   TIN + MASK  u throughout, u' from S only where u and u' disagree (educators; or a kiosk's policy run).
 * All with the same seed. With no banned concept (normal mode only) there is just u.
 * A kiosk never generates the baselines: every image it makes goes through TIN, or TIN + MASK
 * where its policy chooses it and the compiled policy says the mask can keep it.
 */
import { asOresError, CancelledError, OresError } from '../../core/errors.ts';
import type { LatentMask, StepRecord } from '../../core/pipeline/pipeline.ts';
import type { Progress } from '../../core/pipeline/progress.ts';
import type { MaskChoice } from '../../core/policy/compile.ts';
import type { RgbaImage } from '../../core/pipeline/image.ts';
import { METHODS, type MethodId, type MethodInput } from '../../core/tin/methods.ts';
import type { GenerateCall } from '../../engine/diffusionClient.ts';
import type { GenerationOutput } from '../../engine/protocol.ts';
import { switchSummary } from './format.ts';
import type { ValidInputs } from './validate.ts';

/** The methods the page can run; 'plain' is u alone when no concept is banned. */
export const PAGE_METHODS = ['tin', 'original', 'blacklist', 'negative', 'tin-mask'] as const satisfies readonly MethodId[];
export type RunKind = (typeof PAGE_METHODS)[number] | 'plain';

export interface RunSpec {
  readonly kind: RunKind;
  readonly title: string;
  readonly subtitle: string;
  readonly request: GenerateCall['request'];
  /** What its method was given (absent for 'plain'): a regeneration builds its schedule from it too. */
  readonly input?: MethodInput;
  /** The run the policy protects: output verification wraps it, the audit describes it (TIN, or a kiosk's TIN + MASK). */
  readonly policyRun?: true;
  /** Why a kiosk whose policy chose TIN + MASK runs it, or runs TIN in its place. */
  readonly methodReason?: string;
}

export interface PlanOptions {
  readonly concepts: readonly string[];
  readonly kiosk: boolean;
  /** The educator baselines to run beside TIN (ignored in a kiosk). */
  readonly compare: readonly Exclude<RunKind, 'tin' | 'plain'>[];
  readonly previewEvery: number;
  /** u' as it will arrive (required when there are concepts). */
  readonly rewritten?: Promise<string>;
  /** A kiosk policy's `method: "tin-mask"`: the compiled policy's maskChoice (TIN runs where it does not fit). Kiosk only. */
  readonly mask?: MaskChoice;
}

export const RUN_TITLES: Readonly<Record<RunKind, string>> = {
  tin: METHODS.tin.label,
  original: METHODS.original.label,
  blacklist: METHODS.blacklist.label,
  negative: METHODS.negative.label,
  'tin-mask': METHODS['tin-mask'].label,
  plain: 'Result',
};

/** Whether a run's schedule switches at S (TIN, TIN + MASK): its card shows S, its timeline the steps after it. */
export const switchesAt = (kind: RunKind): boolean => kind !== 'plain' && METHODS[kind].usesSwitch;

export function planRuns(v: ValidInputs, o: PlanOptions): RunSpec[] {
  const negative = o.kiosk ? '' : v.negativePrompt;
  const base = { prompt: v.prompt, seed: v.seed, steps: v.steps, guidanceScale: v.guidanceScale, ...(o.previewEvery > 0 ? { previewEvery: o.previewEvery } : {}) };
  if (o.concepts.length === 0) {
    if (o.kiosk) throw new OresError('policy-invalid', 'The kiosk policy bans no concept; generation is disabled.');
    return [{ kind: 'plain', title: RUN_TITLES.plain, subtitle: 'u only (no banned concepts)', request: { ...base, ...(negative ? { negativePrompt: negative } : {}) } }];
  }
  if (!o.rewritten) throw new Error('planRuns: TIN needs the rewrite');
  const rewritten = o.rewritten;
  const input = { query: v.prompt, concepts: o.concepts, steps: v.steps, switchStep: v.switchStep, negative, rewritten: () => rewritten };
  const run = (kind: Exclude<RunKind, 'plain'>, subtitle: string): RunSpec => ({ kind, title: RUN_TITLES[kind], subtitle, request: { ...base, schedule: METHODS[kind].schedule(input) }, input });
  const subtitles: Record<Exclude<RunKind, 'tin' | 'plain'>, () => string> = {
    original: () => 'u only, same seed',
    blacklist: () => `u without the concept words: “${String(METHODS.blacklist.schedule(input).prompts[0])}”`,
    negative: () => `u with negative prompt “${[negative, ...o.concepts].filter((x) => x.length > 0).join(', ')}”`,
    'tin-mask': () => `u throughout; from step ${v.switchStep + 1}, u′ only where u and u′ disagree`,
  };
  const masked = o.kiosk && o.mask?.fits === true;
  const policyRun: RunSpec = {
    ...(masked ? run('tin-mask', subtitles['tin-mask']()) : run('tin', switchSummary(v.switchStep, v.steps))),
    policyRun: true,
    ...(o.kiosk && o.mask ? { methodReason: o.mask.reason } : {}),
  };
  const runs: RunSpec[] = [policyRun];
  if (o.kiosk) return runs;
  for (const kind of PAGE_METHODS) if (kind !== 'tin' && o.compare.includes(kind)) runs.push(run(kind, subtitles[kind]()));
  return runs;
}

/** The policy's run again as TIN with another seed and S (verification's regeneration), its schedule built by METHODS.tin. */
export function rerunTin(spec: RunSpec, seed: number, switchStep: number, rewritten?: Promise<string>): GenerateCall['request'] {
  if (!spec.policyRun || !spec.input) throw new Error(`rerunTin: the ${spec.kind} run is not the one the policy protects`);
  return { ...spec.request, seed, schedule: METHODS.tin.schedule({ ...spec.input, switchStep, ...(rewritten ? { rewritten: () => rewritten } : {}) }) };
}

export interface RunHooks {
  onStart?(spec: RunSpec): void;
  onProgress?(spec: RunSpec, p: Progress): void;
  onPreview?(spec: RunSpec, step: number, image: RgbaImage): void;
  onMask?(spec: RunSpec, step: number, mask: LatentMask): void;
  onResult?(spec: RunSpec, output: GenerationOutput): void;
  onError?(spec: RunSpec, error: OresError): void;
}

/** Runs the plan in order; a failed run is reported and the next one still runs; a cancel stops all. */
export async function runAll(client: { generate(c: GenerateCall): Promise<GenerationOutput> }, runs: readonly RunSpec[], hooks: RunHooks, signal?: AbortSignal): Promise<void> {
  for (const spec of runs) {
    if (signal?.aborted) {
      hooks.onError?.(spec, new CancelledError('Cancelled before it started.'));
      continue;
    }
    hooks.onStart?.(spec);
    try {
      const out = await client.generate({
        request: spec.request,
        signal,
        onProgress: (p) => hooks.onProgress?.(spec, p),
        onPreview: (step, image) => hooks.onPreview?.(spec, step, image),
        onMask: (step, mask) => hooks.onMask?.(spec, step, mask),
      });
      hooks.onResult?.(spec, out);
    } catch (e) {
      hooks.onError?.(spec, asOresError(e, 'internal'));
    }
  }
}

/** One cell of the per-step timeline. */
export interface TimelineCell {
  /** 1-based. */
  readonly step: number;
  /** Which prompt conditioned the step: "u" or "u′". */
  readonly prompt: 'u' | 'u′';
  readonly text: string;
  readonly negative: string;
  readonly afterSwitch: boolean;
}

/**
 * The per-step record (output.trace) as timeline cells; for TIN the rewrite is prompt 1 of the
 * schedule; TIN + MASK runs u at every step, and its steps after S (u′ inside the mask) are marked.
 */
export function timeline(kind: RunKind, trace: readonly StepRecord[], switchStep: number | undefined): TimelineCell[] {
  return trace.map((r) => ({
    step: r.step + 1,
    prompt: kind === 'tin' && r.prompt === 1 ? 'u′' : 'u',
    text: r.promptText,
    negative: r.negativeText,
    afterSwitch: switchesAt(kind) && switchStep !== undefined && r.step >= switchStep,
  }));
}
