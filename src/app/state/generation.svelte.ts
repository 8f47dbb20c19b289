/**
 * One click of Generate: validate, start the TIN run at once on u while the rewriter writes u'
 * (handed to the worker as a promise; the loop waits for it only at step S), then the educator
 * baselines with the same seed. Holds what the result area shows.
 */
import { asOresError, CancelledError, InvalidInputError, OresError } from '../../core/errors.ts';
import type { ModelEntry } from '../../core/manifest.ts';
import type { Progress } from '../../core/pipeline/progress.ts';
import { FALLBACK_LABEL } from '../../core/rewrite/fallbackRewriter.ts';
import type { DiffusionClient } from '../../engine/diffusionClient.ts';
import { pngBlob } from '../lib/download.ts';
import { rgbaToDataUrl } from '../lib/image.ts';
import { maskScale, maskToRgba } from '../lib/maskImage.ts';
import type { LlmHandle, RewriteOutcome, RewriteService } from '../lib/rewrite.ts';
import { planRuns, rerunTin, runAll, switchesAt, timeline, type PlanOptions, type RunSpec, type TimelineCell } from '../lib/runs.ts';
import type { CompiledPolicy } from '../../core/policy/compile.ts';
import { judgePlan, type JudgePlan } from '../../core/policy/judgePlan.ts';
import type { AuditEntry } from '../../core/policy/audit.ts';
import type { Policy } from '../../core/policy/schema.ts';
import { describeVerification, generateVerified, type Verification } from '../../core/policy/verify.ts';
import type { GenerateCall } from '../../engine/diffusionClient.ts';
import type { GenerationOutput } from '../../engine/protocol.ts';
import { fieldForCode, validateInputs, type Field, type Inputs, type ValidInputs } from '../lib/validate.ts';

export type RunStatus = 'queued' | 'running' | 'done' | 'error' | 'cancelled';

export interface RunCard {
  readonly spec: RunSpec;
  readonly status: RunStatus;
  readonly steps: number;
  readonly switchStep?: number;
  readonly seed: number;
  readonly progress: Progress | null;
  readonly previews: readonly { step: number; url: string }[];
  /** TIN + MASK: the mask of each preview step after S, as a heat map. */
  readonly masks: readonly { step: number; url: string }[];
  readonly png?: Blob;
  readonly pngUrl?: string;
  readonly cells?: readonly TimelineCell[];
  /** Why this S (switch step by concept). */
  readonly switchReason?: string;
  /** "checked by <judge>: clean", "not checked: ...", or the refusal. */
  readonly verification?: string;
  readonly seconds?: number;
  readonly provider?: string;
  readonly error?: OresError;
}

export interface RewriteView {
  readonly status: 'running' | 'done' | 'error';
  readonly query: string;
  readonly concepts: readonly string[];
  /** Which rewriter is at work (the fallback's label says it is no language model). */
  readonly label: string;
  readonly result?: RewriteOutcome;
  readonly error?: OresError;
}

export interface GenerateContext {
  readonly inputs: Inputs;
  readonly entry: ModelEntry;
  readonly modelReady: boolean;
  readonly concepts: readonly string[];
  readonly kiosk: boolean;
  /** The educator baselines to run beside TIN. */
  readonly compare: PlanOptions['compare'];
  readonly previewEvery: number;
  readonly llm: LlmHandle | null;
  readonly instruction?: string;
  /** Output verification: 'required' (a kiosk's default) refuses to run without a judge; 'auto' checks when a judge can. */
  readonly verification: 'required' | 'auto' | 'off';
  readonly maxRetries: number;
  /** Called once per Generate that ran under a policy (the kiosk's audit log). */
  readonly onAudit?: (entry: AuditEntry) => void;
  /** Put the prompt in the audit entry (the policy opted in). */
  readonly auditPrompt?: boolean;
  /** A kiosk policy's method: "tin-mask" runs TIN + MASK where the compiled policy's maskChoice fits. */
  readonly method?: Policy['method'];
}

/** The heat map's smallest side in pixels: as large as a preview thumbnail, so the strip stays sharp. */
const MASK_THUMBNAIL_PX = 48;

export class GenerationState {
  running = $state(false);
  cards = $state.raw<readonly RunCard[]>([]);
  rewrite = $state.raw<RewriteView | null>(null);
  fieldErrors = $state.raw<Partial<Record<Field, OresError>>>({});
  status = $state('');
  private abort: AbortController | null = null;

  constructor(
    private readonly client: DiffusionClient,
    private readonly rewriter: RewriteService,
  ) {}

  clearError(field: Field): void {
    if (this.fieldErrors[field]) {
      const { [field]: _, ...rest } = this.fieldErrors;
      this.fieldErrors = rest;
    }
  }

  cancel(): void {
    this.abort?.abort();
  }

  /** Forgets the last results (a kiosk's next visitor sees none of them). */
  clearResults(): void {
    for (const c of this.cards) if (c.pngUrl) URL.revokeObjectURL(c.pngUrl);
    this.cards = [];
    this.rewrite = null;
    this.status = '';
  }

  private update(spec: RunSpec, patch: Partial<RunCard>): void {
    this.cards = this.cards.map((c) => (c.spec === spec ? { ...c, ...patch } : c));
  }

  private card(spec: RunSpec): RunCard | undefined {
    return this.cards.find((c) => c.spec === spec);
  }

  /** Verification text of each shown output (the policy run's). */
  private verdicts = new WeakMap<GenerationOutput, string>();
  private lastVerification: Verification | null = null;

  /**
   * The policy's run (TIN, or a kiosk's TIN + MASK) under output verification: the judge checks the image in the worker; a banned concept
   * means the next seed with the rewrite from step 0, up to maxRetries; then a refusal (an error
   * card that names the concept and the judge, and no image).
   */
  /** `rewriteAgain`: a new u' for a regeneration, written knowing what the judge saw (only with a language model). */
  private async verified(c: GenerateCall, value: ValidInputs, plan: JudgePlan, maxRetries: number, spec: RunSpec, rewriteAgain?: (seen: string) => Promise<string>): Promise<GenerationOutput> {
    const first = { seed: value.seed, switchStep: value.switchStep };
    this.lastVerification = null;
    const result = await generateVerified<GenerationOutput>(
      {
        generate: (a) => {
          if (a.seed === first.seed && a.switchStep === first.switchStep) return this.client.generate(c);
          this.update(spec, { previews: [], masks: [] });
          this.status = `${spec.title}: the judge saw a banned concept; regenerating (seed ${a.seed}, S = 0)…`;
          return this.client.generate({ ...c, request: rerunTin(spec, a.seed, a.switchStep, a.seen && rewriteAgain ? rewriteAgain(a.seen) : undefined) });
        },
        judge: plan.kind === 'none' ? null : { id: plan.kind === 'world' ? 'the world judge' : plan.judge, check: async (out) => (await this.client.judge(out.rgba, plan)).verdict },
        uncheckedReason: plan.kind === 'none' ? plan.reason : undefined,
      },
      first,
      maxRetries,
    );
    this.lastVerification = result.verification;
    const text = describeVerification(result.verification);
    if (!result.output) throw new OresError('output-refused', text.replace(/^refused: /, 'Refused: '));
    this.verdicts.set(result.output, text);
    return result.output;
  }

  /** Returns the fields that stopped it from starting (empty when it ran). */
  async generate(ctx: GenerateContext): Promise<Field[]> {
    if (this.running) return [];
    const v = validateInputs(ctx.inputs, ctx.entry);
    if (!v.ok) {
      this.fieldErrors = v.errors;
      this.status = `Not started: ${Object.values(v.errors)[0]?.message ?? 'check the marked fields.'}`;
      return Object.keys(v.errors) as Field[];
    }
    if (!ctx.modelReady) {
      this.fieldErrors = { model: new InvalidInputError('no-model', 'The image model is not loaded yet: wait for it to load, or pick a model and load it.') };
      this.status = 'Not started: the image model is not loaded.';
      return ['model'];
    }
    let policy: CompiledPolicy | undefined;
    let plan: JudgePlan | undefined;
    if (ctx.concepts.length > 0) {
      try {
        policy = await this.rewriter.policy(ctx.concepts);
        if (ctx.kiosk && !policy.lexicon) throw new OresError('lexicon-unavailable', `${this.rewriter.lexiconProblem ?? 'The WordNet lexicon is not loaded.'} A kiosk does not generate without it.`);
        plan = judgePlan(policy, ctx.entry, { lexicon: await this.rewriter.lexicon() });
        if (ctx.verification === 'required' && plan.kind === 'none') {
          throw new OresError('verification-unavailable', `This kiosk requires every image to be checked, but ${plan.reason}. Nothing can be generated until the policy or the model changes.`);
        }
      } catch (e) {
        const error = asOresError(e, 'internal');
        this.fieldErrors = { [fieldForCode(error.code)]: error };
        this.status = `Not started: ${error.message}`;
        return [fieldForCode(error.code)];
      }
    }
    this.fieldErrors = {};
    // Switch step by concept: layout concepts switch early (the compiled policy says why).
    const choice = policy?.switchStep(v.value.steps, ctx.inputs.switchFraction);
    const value = choice ? { ...v.value, switchStep: choice.step } : v.value;
    const abort = (this.abort = new AbortController());
    this.running = true;
    for (const c of this.cards) if (c.pngUrl) URL.revokeObjectURL(c.pngUrl);

    let rewritten: Promise<string> | undefined;
    if (policy) {
      const label = ctx.llm ? `Local LLM rewrite (${ctx.llm.modelId})` : FALLBACK_LABEL;
      const view: RewriteView = { status: 'running', query: value.prompt, concepts: ctx.concepts, label };
      this.rewrite = view;
      // Started after the TIN run has been posted, so the worker is denoising on u meanwhile.
      const outcome = new Promise<void>((r) => setTimeout(r, 0)).then(() =>
        this.rewriter.rewrite({ query: value.prompt, concepts: ctx.concepts, llm: ctx.llm, instruction: ctx.instruction, policy, signal: abort.signal }),
      );
      outcome.then(
        (result) => (this.rewrite = { ...view, status: 'done', label: result.label, result }),
        (e: unknown) => (this.rewrite = { ...view, status: 'error', error: asOresError(e, 'internal') }),
      );
      rewritten = outcome.then((r) => r.rewritten);
    } else this.rewrite = null;
    // A regeneration asks the language model again with what the judge saw; the offline fallback
    // would write the same u', so without a model the regeneration keeps it (next seed, S = 0).
    let current = rewritten;
    const llm = ctx.llm;
    const rewriteAgain =
      policy && llm && current
        ? async (seen: string): Promise<string> => {
            const shown = { rewritten: await current!, seen };
            const again = this.rewriter.rewrite({ query: value.prompt, concepts: ctx.concepts, llm, instruction: ctx.instruction, policy, shown, signal: abort.signal });
            current = again.then((r) => r.rewritten);
            const view = this.rewrite;
            if (view) again.then((result) => (this.rewrite = { ...view, status: 'done', label: result.label, result }), () => {});
            return current;
          }
        : undefined;

    let runs: RunSpec[];
    try {
      // A kiosk shows no step preview: nothing is shown before the final image has been checked.
      const mask = ctx.kiosk && ctx.method === 'tin-mask' ? policy?.maskChoice() : undefined;
      runs = planRuns(value, { ...ctx, previewEvery: ctx.kiosk ? 0 : ctx.previewEvery, rewritten, ...(mask ? { mask } : {}) });
    } catch (e) {
      this.fieldErrors = { run: asOresError(e, 'internal') };
      this.running = false;
      return ['run'];
    }
    const policySpec = runs.find((r) => r.policyRun);
    const verifying = {
      generate: (c: GenerateCall): Promise<GenerationOutput> =>
        policySpec && c.request === policySpec.request && plan && ctx.verification !== 'off' ? this.verified(c, value, plan, ctx.maxRetries, policySpec, rewriteAgain) : this.client.generate(c),
    };
    this.cards = runs.map((spec) => ({
      spec,
      status: 'queued',
      steps: value.steps,
      seed: value.seed,
      ...(switchesAt(spec.kind) ? { switchStep: value.switchStep } : {}),
      ...(spec.policyRun && choice ? { switchReason: choice.reason } : {}),
      progress: null,
      previews: [],
      masks: [],
    }));
    const started = new Map<RunSpec, number>();
    await runAll(
      verifying,
      runs,
      {
        onStart: (spec) => {
          started.set(spec, performance.now());
          this.update(spec, { status: 'running' });
          this.status = `${spec.title}: starting…`;
        },
        onProgress: (spec, p) => {
          this.update(spec, { progress: p });
          this.status = describeProgress(spec.title, p);
        },
        onPreview: (spec, step, image) => {
          const card = this.card(spec);
          if (card) this.update(spec, { previews: [...card.previews, { step, url: rgbaToDataUrl(image) }] });
        },
        onMask: (spec, step, mask) => {
          const card = this.card(spec);
          if (card) this.update(spec, { masks: [...card.masks, { step, url: rgbaToDataUrl(maskToRgba(mask, maskScale(mask, MASK_THUMBNAIL_PX))) }] });
        },
        onResult: (spec, out) => {
          const png = pngBlob(out.png);
          const seconds = (performance.now() - (started.get(spec) ?? performance.now())) / 1000;
          this.update(spec, {
            status: 'done',
            png,
            pngUrl: URL.createObjectURL(png),
            cells: timeline(spec.kind, out.trace, switchesAt(spec.kind) ? value.switchStep : undefined),
            seconds,
            provider: out.provider,
            ...(this.verdicts.has(out) ? { verification: this.verdicts.get(out) } : {}),
          });
          this.status = `${spec.title}: done in ${seconds.toFixed(1)} s.`;
        },
        onError: (spec, error) => {
          const cancelled = error instanceof CancelledError || error.code === 'cancelled';
          // A failed rewrite stops TIN at step S; the rewrite view says why, specifically.
          const shown = error.code === 'rewrite-failed' ? new OresError('rewrite-failed', `Stopped at step S = ${value.switchStep}: the rewrite failed, so nothing was generated from it. ${this.rewrite?.error?.message ?? error.message}`) : error;
          this.update(spec, { status: cancelled ? 'cancelled' : 'error', ...(cancelled ? {} : { error: shown }) });
          const field = fieldForCode(error.code);
          if (!cancelled && field !== 'run' && field !== 'rewrite') this.fieldErrors = { ...this.fieldErrors, [field]: error };
          this.status = cancelled ? `${spec.title}: cancelled.` : `${spec.title} failed: ${shown.message}`;
        },
      },
      abort.signal,
    );
    if (policy && policySpec && ctx.onAudit) {
      const card = this.card(policySpec);
      const v = this.lastVerification;
      const rewrite = this.rewrite;
      ctx.onAudit({
        time: new Date().toISOString(),
        policyId: policy.id,
        method: policySpec.kind === 'tin-mask' ? 'tin-mask' : 'tin',
        guardHits: [...new Set((rewrite?.result?.inputHits ?? []).map((h) => h.concept))],
        rewriteSource: rewrite?.result ? rewrite.result.source : rewrite?.status === 'error' ? 'failed' : 'none',
        switchStep: value.switchStep,
        verdict: card?.status === 'cancelled' ? 'cancelled' : v?.status === 'refused' ? 'refused' : card?.status === 'error' ? 'error' : (v?.status ?? 'unchecked'),
        retries: v && v.status !== 'unchecked' ? v.retries : 0,
        ...(card?.error ? { reason: card.error.message } : {}),
        ...(ctx.auditPrompt ? { prompt: value.prompt } : {}),
      });
    }
    if (abort.signal.aborted) this.status = 'Cancelled.';
    else if (this.cards.every((c) => c.status === 'done')) this.status = `Done: ${this.cards.map((c) => c.spec.title).join(', ')}.`;
    this.running = false;
    this.abort = null;
    return [];
  }
}

export function describeProgress(title: string, p: Progress): string {
  switch (p.phase) {
    case 'denoising':
      return `${title}: denoising step ${p.step ?? 0} of ${p.totalSteps ?? '?'}`;
    case 'encoding':
    case 'tokenizing':
      return `${title}: encoding the prompt`;
    case 'decoding':
      return `${title}: decoding the image`;
    case 'done':
      return `${title}: finishing`;
    default:
      return `${title}: ${p.phase}`;
  }
}
