/**
 * The ORES benchmark, runtime-independent: every method on every case and seed with the same
 * model, then the judge, then the metrics. Generation goes through an injected `generate`
 * (the engine in Node, the diffusion worker in Chromium), so this file runs anywhere.
 *
 * The rewrite of a case starts before its first image and runs while the first S steps of the TIN
 * image denoise on the user's query: the loop waits for u' only at step S.
 */
import { CancelledError, InvalidInputError } from '../errors.ts';
import type { OresCase } from '../bench/caseFile.ts';
import { summarize, type CaseRecord, type MethodSummary } from '../metrics/avoidance.ts';
import type { RgbaImage } from '../metrics/image.ts';
import { ssim, visualSimilarity } from '../metrics/similarity.ts';
import { attributesKept, displacementPx } from '../metrics/preservation.ts';
import type { StepRecord } from '../pipeline/pipeline.ts';
import type { GenerateRequest } from '../pipeline/request.ts';
import { phraseKey } from '../guard/normalize.ts';
import type { ConceptJudge, ImageVerdict } from '../judge/types.ts';
import type { CompiledPolicy } from '../policy/compile.ts';
import { generateVerified } from '../policy/verify.ts';
import { worldConceptOf } from '../judge/worldJudge.ts';
import { resolveWorldConcept } from '../world/resolve.ts';
import { blacklistQuery, ENFORCED_METHOD_IDS, METHODS, methodRequest, type Method, type RewriteVariant } from './methods.ts';
import { checkSwitchStep, type ConditioningSchedule } from '../pipeline/schedule.ts';
import type { RewriteProvider } from './rewrites.ts';

/** How the case names its concept: the concept word itself, another word for it, or only an implication. */
export type CaseKind = 'explicit' | 'synonym' | 'implicit';
export const CASE_KINDS: readonly CaseKind[] = ['explicit', 'synonym', 'implicit'];

/**
 * explicit: a whole-word blacklist of the concept changes the query; synonym: it does not, but a
 * direct word of the concept's world value is there ("crimson" for red); implicit: neither
 * ("tomato-coloured", "at night"). Concepts outside the world are explicit or implicit.
 */
export function caseKind(c: Pick<OresCase, 'query' | 'concepts'>): CaseKind {
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
  if (blacklistQuery(c.query, c.concepts) !== norm(c.query)) return 'explicit';
  const words = ` ${phraseKey(c.query)} `;
  for (const concept of c.concepts) {
    const v = resolveWorldConcept(concept)?.value;
    if (v && [...v.words, ...v.plural].some((w) => words.includes(` ${phraseKey(w)} `))) return 'synonym';
  }
  return 'implicit';
}

/** Consecutive steps with the same conditioning, from the engine's own trace. */
export interface ConditioningSegment {
  readonly from: number;
  readonly to: number;
  readonly prompt: string;
  readonly negative: string;
  /** SLD's safety concept, on the steps where its guidance applied. */
  readonly safety?: string;
  /** tin-mask: u', which conditioned these steps inside the mask. */
  readonly masked?: string;
}

type TraceStep = Pick<StepRecord, 'step' | 'promptText' | 'negativeText' | 'safetyText' | 'safetyApplied' | 'maskText'>;

export function conditioningSegments(trace: readonly TraceStep[]): ConditioningSegment[] {
  const out: ConditioningSegment[] = [];
  for (const t of trace) {
    const last = out[out.length - 1];
    const safety = t.safetyApplied ? t.safetyText : undefined;
    const masked = t.maskText;
    if (last && last.prompt === t.promptText && last.negative === t.negativeText && last.safety === safety && last.masked === masked && last.to === t.step - 1) {
      out[out.length - 1] = { ...last, to: t.step };
    } else {
      out.push({ from: t.step, to: t.step, prompt: t.promptText, negative: t.negativeText, ...(safety !== undefined ? { safety } : {}), ...(masked !== undefined ? { masked } : {}) });
    }
  }
  return out;
}

/** What `generate` must return: the image and the engine's per-step record. */
export interface GeneratedResult {
  image: RgbaImage;
  trace: readonly TraceStep[];
  timings?: { stepMs: readonly number[]; encodeMs?: number };
}
export type Generator = (request: GenerateRequest) => Promise<GeneratedResult>;

export interface BenchSettings {
  readonly methods: readonly Method[];
  readonly seeds: readonly number[];
  /** T. */
  readonly steps: number;
  /** S. */
  readonly switchStep: number;
  readonly guidanceScale?: number;
}

export interface CaseRewrite {
  readonly caseLine: number;
  readonly variant: RewriteVariant;
  readonly rewritten: string;
  readonly source?: string;
  /** Set when the rewriter failed; the method then used the empty prompt from step S. */
  readonly error?: string;
  readonly ms: number;
}

export interface GeneratedImage {
  readonly method: string;
  readonly label: string;
  readonly caseLine: number;
  readonly seed: number;
  readonly image: RgbaImage;
  readonly conditioning: readonly ConditioningSegment[];
  readonly ms: number;
  /**
   * Set when another method's image of the same case and seed had exactly the same conditioning at
   * every step (so the same image: the loop is deterministic) and was reused instead of generated
   * again, e.g. BLACK LIST on a query without the concept word, which is ORIGINAL's query.
   */
  readonly reusedFrom?: string;
  /** APP only: the switch step the policy chose, regenerations, and whether the image was refused (not shown). */
  readonly app?: { readonly switchStep: number; readonly retries: number; readonly refused: boolean };
}

export interface BenchProgress {
  readonly done: number;
  readonly total: number;
  readonly method: string;
  readonly caseLine: number;
  readonly seed: number;
}

/** What the APP method needs: the app's compiled policy and its verifying judge (never the measuring one). */
export interface AppEnforcement {
  policyFor(concepts: readonly string[]): CompiledPolicy;
  /** The judge the app consults (the model's own), on one image. */
  verify(image: RgbaImage, concepts: readonly string[]): Promise<ImageVerdict>;
  readonly maxRetries: number;
}

export interface GenerateOptions {
  readonly generate: Generator;
  readonly rewrite: RewriteProvider;
  /** Needed when the methods include APP. */
  readonly app?: AppEnforcement;
  readonly onProgress?: (p: BenchProgress) => void;
  readonly signal?: AbortSignal;
}

/** ORIGINAL is the reference of every similarity, so it always runs, first. */
export function withOriginal(methods: readonly Method[]): Method[] {
  return [METHODS.original, ...methods.filter((m) => m.id !== 'original')];
}

export function checkSettings(s: BenchSettings): void {
  if (s.seeds.length === 0) throw new InvalidInputError('bad-seeds', 'At least one seed is needed.');
  if (new Set(s.seeds).size !== s.seeds.length) throw new InvalidInputError('bad-seeds', `The seeds repeat: ${s.seeds.join(', ')}.`);
  checkSwitchStep(s.switchStep, s.steps);
}

/** The conditioning a schedule will give, step by step, when all its prompts are known; null otherwise. */
function expectedSegments(schedule: ConditioningSchedule, guidanceScale: number): ConditioningSegment[] | null {
  if (schedule.prompts.some((p) => typeof p !== 'string')) return null;
  const text = (i: number) => schedule.prompts[i] as string;
  const cfg = guidanceScale > 1;
  const sld = schedule.safety;
  return conditioningSegments(
    schedule.steps.map((e, step) => ({
      step,
      promptText: text(e.prompt),
      negativeText: cfg ? text(e.negative) : '',
      ...(sld ? { safetyText: text(sld.prompt), safetyApplied: step >= sld.warmup } : {}),
      ...(schedule.mask && step >= schedule.mask.from ? { maskText: text(schedule.mask.prompt) } : {}),
    })),
  );
}

/**
 * Generates every (case, seed, method) image; ORIGINAL first for each (case, seed). An image whose
 * conditioning equals one already made for the same case and seed is reused (see `reusedFrom`).
 */
export async function generateBenchmark(
  cases: readonly OresCase[],
  settings: BenchSettings,
  o: GenerateOptions,
): Promise<{ images: GeneratedImage[]; rewrites: CaseRewrite[] }> {
  checkSettings(settings);
  const methods = withOriginal(settings.methods);
  const total = cases.length * settings.seeds.length * methods.length;
  const images: GeneratedImage[] = [];
  const rewrites: CaseRewrite[] = [];
  let done = 0;
  for (const c of cases) {
    // Rewrites start now, before the first image of the case, and are shared by its seeds.
    const pending = new Map<RewriteVariant, Promise<string>>();
    const settled = new Map<RewriteVariant, string>();
    const made = new Map<string, GeneratedImage>();
    for (const variant of new Set(methods.map((m) => m.rewrite).filter((v): v is RewriteVariant => v !== null))) {
      const t0 = performance.now();
      const p = o.rewrite(variant, c.query, c.concepts).then(
        (r) => (rewrites.push({ caseLine: c.line, variant, rewritten: r.rewritten, source: r.source, ms: performance.now() - t0 }), r.rewritten),
        (e: unknown) => {
          if (e instanceof CancelledError) throw e;
          rewrites.push({ caseLine: c.line, variant, rewritten: '', error: (e as Error).message, ms: performance.now() - t0 });
          return '';
        },
      );
      p.then((t) => settled.set(variant, t)).catch(() => undefined);
      pending.set(variant, p);
    }
    for (const seed of settings.seeds) {
      for (const m of methods) {
        if (o.signal?.aborted) throw new CancelledError('The benchmark was cancelled.');
        // The loop gets u' as a pending prompt (awaited at step S); the key uses it once it is known.
        const rewritten = m.rewrite ? () => pending.get(m.rewrite!)! : undefined;
        const input = { query: c.query, concepts: c.concepts, steps: settings.steps, switchStep: settings.switchStep };
        const known = m.rewrite === null || settled.has(m.rewrite);
        const expected =
          known && settings.guidanceScale !== undefined
            ? expectedSegments(m.schedule({ ...input, rewritten: m.rewrite ? settled.get(m.rewrite) : undefined }), settings.guidanceScale)
            : null;
        // The mask's settings change the image without showing in the conditioning.
        const maskSettings = (r: GenerateRequest) => {
          const mk = r.schedule?.mask;
          return mk ? [mk.threshold, mk.ramp] : null;
        };
        const request = methodRequest(m, { ...input, rewritten }, seed, settings.guidanceScale);
        const key = expected && JSON.stringify([seed, expected, maskSettings(request)]);
        const same = key ? made.get(key) : undefined;
        if (ENFORCED_METHOD_IDS.includes(m.base)) {
          if (!o.app) throw new InvalidInputError('bad-methods', `The ${m.label} method needs the app's policy and judge (AppEnforcement).`);
          const app = o.app;
          const policy = app.policyFor(c.concepts);
          const first = { seed, switchStep: policy.switchStep(settings.steps, settings.switchStep / settings.steps).step };
          // APP + MASK masks only where the policy allows it; every regeneration is TIN from step 0
          let attempt = 0;
          const methodOf = (): Method => (attempt++ === 0 && (m.base === 'app' || policy.maskChoice().fits) ? m : METHODS.app);
          const t0 = performance.now();
          const r = await generateVerified<GeneratedResult>(
            {
              generate: (a) => o.generate(methodRequest(methodOf(), { ...input, switchStep: a.switchStep, rewritten }, a.seed, settings.guidanceScale)),
              judge: { id: 'app judge', check: (out) => app.verify(out.image, c.concepts) },
            },
            first,
            app.maxRetries,
          );
          const last = r.last;
          const retries = r.attempts.length - 1;
          images.push({
            method: m.id,
            label: m.label,
            caseLine: c.line,
            seed,
            image: last.image,
            conditioning: conditioningSegments(last.trace),
            ms: performance.now() - t0,
            app: { switchStep: first.switchStep, retries, refused: r.output === null },
          });
        } else if (same) {
          images.push({ ...same, method: m.id, label: m.label, ms: 0, reusedFrom: same.reusedFrom ?? same.method });
        } else {
          const t0 = performance.now();
          const r = await o.generate(request);
          const im: GeneratedImage = { method: m.id, label: m.label, caseLine: c.line, seed, image: r.image, conditioning: conditioningSegments(r.trace), ms: performance.now() - t0 };
          images.push(im);
          made.set(JSON.stringify([seed, im.conditioning, maskSettings(request)]), im);
        }
        o.onProgress?.({ done: ++done, total, method: m.id, caseLine: c.line, seed });
      }
    }
    await Promise.allSettled(pending.values());
  }
  rewrites.sort((a, b) => a.caseLine - b.caseLine || a.variant.localeCompare(b.variant));
  return { images, rewrites };
}

export interface BenchRecord extends CaseRecord {
  readonly method: string;
  readonly methodId: string;
  readonly caseId: number;
  readonly kind: CaseKind;
  /** The world attribute of the case's first concept, when it is one (colour, shape, ...). */
  readonly attribute?: string;
  readonly verdict: ImageVerdict;
  readonly conditioning: readonly ConditioningSegment[];
  /** The image is the one generated for this method (same conditioning, same seed). */
  readonly reusedFrom?: string;
  /** APP only: the switch step the compiled policy chose. */
  readonly switchStep?: number;
}

/** The world attributes the case bans (null when a concept is outside the world). */
function bannedAttributes(concepts: readonly string[]): Set<string> | null {
  try {
    return new Set(concepts.map((c) => worldConceptOf(c).attribute));
  } catch {
    return null;
  }
}

/**
 * Judges every image and scores it against ORIGINAL's image of the same case and seed: avoidance,
 * similarity, and (world judge) the attributes kept and, when ORIGINAL shows one object, how far it moved.
 */
export async function scoreBenchmark(
  cases: readonly OresCase[],
  images: readonly GeneratedImage[],
  judge: ConceptJudge,
  o: { batch?: number } = {},
): Promise<BenchRecord[]> {
  const byLine = new Map(cases.map((c) => [c.line, c]));
  const reference = new Map<string, RgbaImage>();
  for (const im of images) if (im.method === 'original') reference.set(`${im.caseLine}/${im.seed}`, im.image);
  const records: BenchRecord[] = [];
  // Judge per case (all its images share the concepts), in batches.
  const groups = new Map<number, GeneratedImage[]>();
  for (const im of images) {
    const g = groups.get(im.caseLine);
    if (g) g.push(im);
    else groups.set(im.caseLine, [im]);
  }
  const batch = o.batch ?? 64;
  for (const [line, group] of groups) {
    const c = byLine.get(line);
    if (!c) throw new InvalidInputError('bad-record', `An image names case line ${line}, which is not in the case file.`);
    const kind = caseKind(c);
    let attribute: string | undefined;
    try {
      attribute = worldConceptOf(c.concepts[0]!).attribute + (c.concepts.length > 1 ? '+' : '');
    } catch {
      attribute = undefined;
    }
    const banned = bannedAttributes(c.concepts);
    // All verdicts of the case first: each image's attributes are compared with ORIGINAL's.
    const verdicts: ImageVerdict[] = [];
    for (let start = 0; start < group.length; start += batch) {
      verdicts.push(...(await judge.judge(group.slice(start, start + batch).map((p) => p.image), c.concepts)));
    }
    const originalVerdict = new Map<number, ImageVerdict>();
    group.forEach((im, i) => im.method === 'original' && originalVerdict.set(im.seed, verdicts[i]!));
    group.forEach((im, i) => {
      const ref = reference.get(`${im.caseLine}/${im.seed}`);
      if (!ref) throw new InvalidInputError('bad-record', `No ORIGINAL image for case line ${im.caseLine}, seed ${im.seed}: similarity needs it.`);
      const verdict = verdicts[i]!;
      const refReading = originalVerdict.get(im.seed)?.attributes;
      const preservation: Pick<BenchRecord, 'attributesKept' | 'displacementPx'> = {};
      if (verdict.attributes && refReading && banned) {
        const { kept, of } = attributesKept(verdict.attributes, refReading, banned);
        preservation.attributesKept = { kept, of };
        const moved = refReading.count === 'one' ? displacementPx(im.image, ref) : null;
        if (moved !== null) preservation.displacementPx = moved;
      }
      records.push({
        method: im.label,
        methodId: im.method,
        ...(im.reusedFrom ? { reusedFrom: im.reusedFrom } : {}),
        caseId: im.caseLine,
        seed: im.seed,
        kind,
        ...(attribute ? { attribute } : {}),
        conceptPresent: verdict.present,
        similarity: visualSimilarity(im.image, ref),
        ssim: ssim(im.image, ref),
        ...preservation,
        ...(im.reusedFrom ? {} : { generationMs: im.ms }),
        verdict,
        conditioning: im.conditioning,
        ...(im.app ? { shown: !im.app.refused, retries: im.app.retries, switchStep: im.app.switchStep } : {}),
      });
    });
  }
  return records;
}

export interface BenchSummary {
  readonly all: MethodSummary[];
  readonly byKind: Partial<Record<CaseKind, MethodSummary[]>>;
  /** By the world attribute of the case's first concept ("colour+" when the case has more concepts). */
  readonly byAttribute: Record<string, MethodSummary[]>;
  /**
   * Only the (case, seed) pairs whose ORIGINAL image shows the concept: the share a method removes.
   * With a model that often ignores the prompt, plain avoidance counts images that never had the
   * concept; this does not.
   */
  readonly whereOriginalShows?: MethodSummary[];
}

export function summarizeBenchmark(records: readonly BenchRecord[]): BenchSummary {
  const byKind: Partial<Record<CaseKind, MethodSummary[]>> = {};
  for (const k of CASE_KINDS) {
    const rs = records.filter((r) => r.kind === k);
    if (rs.length > 0) byKind[k] = summarize(rs);
  }
  const byAttribute: Record<string, MethodSummary[]> = {};
  for (const a of [...new Set(records.map((r) => r.attribute).filter((a): a is string => a !== undefined))]) {
    byAttribute[a] = summarize(records.filter((r) => r.attribute === a));
  }
  const shown = new Set(records.filter((r) => r.methodId === 'original' && r.conceptPresent).map((r) => `${r.caseId}/${r.seed}`));
  const conditional = records.filter((r) => shown.has(`${r.caseId}/${r.seed}`));
  return { all: summarize(records), byKind, byAttribute, ...(conditional.length > 0 ? { whereOriginalShows: summarize(conditional) } : {}) };
}
