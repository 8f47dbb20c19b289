import type { DeviceCapabilities, Provider } from '../core/capabilities.ts';
import { CancelledError, OresError } from '../core/errors.ts';
import { isErrorCode } from '../core/errorCodes.ts';
import type { RgbaImage } from '../core/pipeline/image.ts';
import type { LatentMask } from '../core/pipeline/pipeline.ts';
import type { Progress } from '../core/pipeline/progress.ts';
import type { GenerateRequest } from '../core/pipeline/request.ts';
import type { ImageVerdict } from '../core/judge/types.ts';
import type { JudgeCheck } from '../core/policy/judgePlan.ts';
import type { PromptSource } from '../core/pipeline/schedule.ts';
import type { ProviderDecision, RememberedProvider } from '../core/providerChoice.ts';
import type { GenerationOutput, HostRequest, HostResponse, WireGenerateRequest, WirePrompt } from './protocol.ts';

/** The worker, or anything that speaks its protocol (tests use a MessageChannel-like pair). */
export interface WorkerLike {
  postMessage(message: HostRequest): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<HostResponse>) => void): void;
  terminate?(): void;
}

export interface GenerateCall {
  /** Prompts of its schedule given as functions (TIN's rewrite) are called at once and sent when they settle. */
  request: GenerateRequest;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  onPreview?: (step: number, image: RgbaImage) => void;
  /** tin-mask: the mask of the step, at preview steps after S. */
  onMask?: (step: number, mask: LatentMask) => void;
}

type Pending = {
  resolve: (m: HostResponse) => void;
  reject: (e: Error) => void;
  onProgress?: (p: Progress) => void;
  onPreview?: (step: number, image: RgbaImage) => void;
  onMask?: (step: number, mask: LatentMask) => void;
};

/** Promise API over the diffusion worker: ids, progress, previews and masks, cancel by AbortSignal. */
export class DiffusionClient {
  private nextId = 1;
  private pending = new Map<number, Pending>();

  constructor(private readonly worker: WorkerLike) {
    worker.addEventListener('message', (e) => this.onMessage(e.data));
  }

  private onMessage(m: HostResponse): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') return p.onProgress?.(m.progress);
    if (m.type === 'preview') return p.onPreview?.(m.step, m.image);
    if (m.type === 'mask') return p.onMask?.(m.step, m.mask);
    this.pending.delete(m.id);
    if (m.type === 'error') {
      p.reject(m.error.code === 'cancelled' ? new CancelledError(m.error.message) : new OresError(isErrorCode(m.error.code) ? m.error.code : 'internal', m.error.message));
    } else p.resolve(m);
  }

  private call(make: (id: number) => HostRequest, extra: Omit<Pending, 'resolve' | 'reject'> = {}): { id: number; done: Promise<HostResponse> } {
    const id = this.nextId++;
    const done = new Promise<HostResponse>((resolve, reject) => this.pending.set(id, { resolve, reject, ...extra }));
    this.worker.postMessage(make(id));
    return { id, done };
  }

  async capabilities(): Promise<DeviceCapabilities> {
    const m = await this.call((id) => ({ type: 'capabilities', id })).done;
    return (m as Extract<HostResponse, { type: 'capabilities' }>).capabilities;
  }

  async load(
    modelId: string,
    opts: { provider?: Provider; manifestUrl?: string; remembered?: RememberedProvider; onProgress?: (p: Progress) => void } = {},
  ): Promise<{ modelId: string; provider: Provider; choice: ProviderDecision; deviceKey: string; maxSteps: number; warm: boolean }> {
    const m = await this.call((id) => ({ type: 'load', id, modelId, provider: opts.provider, manifestUrl: opts.manifestUrl, remembered: opts.remembered }), {
      onProgress: opts.onProgress,
    }).done;
    const loaded = m as Extract<HostResponse, { type: 'loaded' }>;
    return { modelId: loaded.modelId, provider: loaded.provider, choice: loaded.choice, deviceKey: loaded.deviceKey, maxSteps: loaded.maxSteps, warm: loaded.warm };
  }

  /** Deletes a model's downloaded files from the worker's cache; returns how many files were cached. */
  async deleteCache(modelId: string, opts: { manifestUrl?: string } = {}): Promise<number> {
    const m = await this.call((id) => ({ type: 'delete-cache', id, modelId, manifestUrl: opts.manifestUrl })).done;
    return (m as Extract<HostResponse, { type: 'cache-deleted' }>).files;
  }

  /** Judges one image as the page's plan says with the loaded model's judge (error 'no-judge' when it has none). */
  async judge(image: RgbaImage, check: JudgeCheck): Promise<{ judge: string; verdict: ImageVerdict }> {
    const m = (await this.call((id) => ({ type: 'judge', id, image, check })).done) as Extract<HostResponse, { type: 'judged' }>;
    return { judge: m.judge, verdict: m.verdict };
  }

  async unload(): Promise<void> {
    await this.call((id) => ({ type: 'unload', id })).done;
  }

  /** Prompts given as promises are sent to the worker when they settle; the loop waits for one only at the first step that needs it. */
  async generate(c: GenerateCall): Promise<GenerationOutput> {
    if (c.signal?.aborted) throw new CancelledError('Generation cancelled');
    const pending = new Map<string, Promise<string>>();
    const wirePrompt = (p: PromptSource, i: number): WirePrompt => {
      if (typeof p === 'string') return p;
      const key = `prompt-${i}`;
      pending.set(key, p());
      return { pending: key };
    };
    const { schedule, ...rest } = c.request;
    const request: WireGenerateRequest = { ...rest, ...(schedule ? { schedule: { ...schedule, prompts: schedule.prompts.map(wirePrompt) } } : {}) };
    const { id, done } = this.call((id) => ({ type: 'generate', id, request }), { onProgress: c.onProgress, onPreview: c.onPreview, onMask: c.onMask });
    const onAbort = () => this.worker.postMessage({ type: 'cancel', id });
    c.signal?.addEventListener('abort', onAbort, { once: true });
    for (const [key, p] of pending) {
      p.then(
        (text) => this.worker.postMessage({ type: 'provide-prompt', id, key, text }),
        (e: Error) => this.worker.postMessage({ type: 'provide-prompt', id, key, error: e.message }),
      );
    }
    try {
      const m = await done;
      return (m as Extract<HostResponse, { type: 'result' }>).output;
    } finally {
      c.signal?.removeEventListener('abort', onAbort);
    }
  }
}
