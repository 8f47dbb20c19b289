import type { DeviceCapabilities, Provider } from '../core/capabilities.ts';
import { CancelledError, OresError } from '../core/errors.ts';
import type { RgbaImage } from '../core/pipeline/image.ts';
import type { Progress } from '../core/pipeline/progress.ts';
import type { ProviderDecision, RememberedProvider } from '../core/providerChoice.ts';
import type { GenerationOutput, HostRequest, HostResponse, WireGenerateRequest, WirePrompt } from './protocol.ts';

/** The worker, or anything that speaks its protocol (tests use a MessageChannel-like pair). */
export interface WorkerLike {
  postMessage(message: HostRequest): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<HostResponse>) => void): void;
  terminate?(): void;
}

export interface GenerateCall {
  request: Omit<WireGenerateRequest, 'intervention'> & {
    intervention?: { at: number; rewritten: string | Promise<string> };
  };
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  onPreview?: (step: number, image: RgbaImage) => void;
}

type Pending = {
  resolve: (m: HostResponse) => void;
  reject: (e: Error) => void;
  onProgress?: (p: Progress) => void;
  onPreview?: (step: number, image: RgbaImage) => void;
};

/** Promise API over the diffusion worker: ids, progress, previews, cancel by AbortSignal. */
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
    this.pending.delete(m.id);
    if (m.type === 'error') {
      p.reject(m.error.code === 'cancelled' ? new CancelledError(m.error.message) : new OresError(m.error.code, m.error.message));
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
  ): Promise<{ modelId: string; provider: Provider; choice: ProviderDecision; deviceKey: string }> {
    const m = await this.call((id) => ({ type: 'load', id, modelId, provider: opts.provider, manifestUrl: opts.manifestUrl, remembered: opts.remembered }), {
      onProgress: opts.onProgress,
    }).done;
    const loaded = m as Extract<HostResponse, { type: 'loaded' }>;
    return { modelId: loaded.modelId, provider: loaded.provider, choice: loaded.choice, deviceKey: loaded.deviceKey };
  }

  /** Deletes a model's downloaded files from the worker's cache; returns how many files were cached. */
  async deleteCache(modelId: string, opts: { manifestUrl?: string } = {}): Promise<number> {
    const m = await this.call((id) => ({ type: 'delete-cache', id, modelId, manifestUrl: opts.manifestUrl })).done;
    return (m as Extract<HostResponse, { type: 'cache-deleted' }>).files;
  }

  async unload(): Promise<void> {
    await this.call((id) => ({ type: 'unload', id })).done;
  }

  /** A rewrite given as a promise is sent to the worker when it settles; the loop waits for it only at step S. */
  async generate(c: GenerateCall): Promise<GenerationOutput> {
    if (c.signal?.aborted) throw new CancelledError('Generation cancelled');
    const rewritten = c.request.intervention?.rewritten;
    const wireRewrite: WirePrompt | undefined = typeof rewritten === 'string' ? rewritten : rewritten ? { pending: 'rewrite' } : undefined;
    const request: WireGenerateRequest = {
      ...c.request,
      intervention: c.request.intervention && { at: c.request.intervention.at, rewritten: wireRewrite! },
    };
    const { id, done } = this.call((id) => ({ type: 'generate', id, request }), { onProgress: c.onProgress, onPreview: c.onPreview });
    const onAbort = () => this.worker.postMessage({ type: 'cancel', id });
    c.signal?.addEventListener('abort', onAbort, { once: true });
    if (rewritten && typeof rewritten !== 'string') {
      rewritten.then(
        (text) => this.worker.postMessage({ type: 'provide-prompt', id, key: 'rewrite', text }),
        (e: Error) => this.worker.postMessage({ type: 'provide-prompt', id, key: 'rewrite', error: e.message }),
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
