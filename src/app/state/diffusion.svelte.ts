/**
 * The diffusion worker as the page sees it: device capabilities, which model is loaded, load
 * progress (bytes and percent for downloads) and load errors, kept next to the model picker.
 */
import { candidateProviders, chooseProvider, type DeviceCapabilities, type Provider } from '../../core/capabilities.ts';
import { asOresError, type OresError } from '../../core/errors.ts';
import { assertPinned, findModel, type ModelEntry, type ModelManifest } from '../../core/manifest.ts';
import type { Progress } from '../../core/pipeline/progress.ts';
import { DiffusionClient } from '../../engine/diffusionClient.ts';
import { warmUpRequest } from '../lib/warmup.ts';
import { recallProvider, rememberProvider } from '../lib/providerMemory.ts';
import type { ProviderSetting } from '../lib/settings.ts';
import type { ProviderDecision } from '../../core/providerChoice.ts';
import { LARGE_DOWNLOAD_BYTES } from '../../core/storage.ts';
import { modelBytes } from '../lib/format.ts';
import { downloadWontFit, isModelDownloaded, persistence } from '../lib/modelCache.ts';

const KEEPS_OLD_MODEL = new Set(['unpinned-model-url', 'needs-webgpu', 'needs-shader-f16', 'buffer-too-small', 'unknown-model', 'bad-manifest']);

export interface LoadingState {
  readonly modelId: string;
  readonly progress: Progress | null;
}

export interface WarmingState {
  readonly modelId: string;
  readonly progress: Progress | null;
}

export class DiffusionState {
  readonly client: DiffusionClient;
  caps = $state.raw<DeviceCapabilities | null>(null);
  loadedId = $state<string | null>(null);
  provider = $state<Provider | null>(null);
  /** Why the loaded model runs on `provider` (measured, remembered, chosen, or the only one). */
  providerChoice = $state.raw<ProviderDecision | null>(null);
  loading = $state.raw<LoadingState | null>(null);
  error = $state.raw<{ modelId: string; error: OresError } | null>(null);
  downloaded = $state<Record<string, boolean>>({});
  /** Per loaded model, the most steps its scheduler can run (the worker says on load). */
  private stepLimits = $state<Record<string, number>>({});
  /** The warm-up run after a load ("preparing the GPU"); Generate waits for it. */
  warming = $state.raw<WarmingState | null>(null);
  private warmAbort: AbortController | null = null;
  /** Whether the browser keeps the cache (asked on the first large download); undefined: not known. */
  persisted = $state<boolean | undefined>(undefined);

  constructor(
    readonly manifest: ModelManifest,
    worker: Worker,
    private readonly origin: string,
    /** Another manifest than the app's (development: the test fixtures); the worker reads it itself. */
    private readonly manifestUrl?: string,
    /** Where measured provider choices are remembered (localStorage in the page). */
    private readonly storage?: Pick<Storage, 'getItem' | 'setItem'>,
  ) {
    this.client = new DiffusionClient(worker);
  }

  /** The manifest's entry, its step limit lowered to its scheduler's once the model has loaded. */
  entry(id: string): ModelEntry {
    const entry = findModel(this.manifest, id);
    const maxSteps = this.stepLimits[id];
    return maxSteps === undefined ? entry : { ...entry, maxSteps };
  }

  get ready(): boolean {
    return this.loadedId !== null && this.loading === null && this.warming === null;
  }

  /** What the model is doing, for the status line ('' when it is ready or idle). */
  get statusText(): string {
    if (this.loading) {
      const p = this.loading.progress;
      if (p?.message) return `Loading the image model: ${p.message}…`;
      return `Loading the image model… ${Math.round(p?.percent ?? 0)}%`;
    }
    if (this.warming) {
      const p = this.warming.progress;
      return `Preparing the GPU (a first small run compiles its programs)…${p?.phase === 'denoising' ? ` step ${p.step ?? 0} of ${p.totalSteps ?? '?'}` : ''}`;
    }
    return '';
  }

  /** Stops the warm-up at the next step; the first Generate is then slower, nothing else changes. */
  cancelWarmUp(): void {
    this.warmAbort?.abort();
  }

  private async warmUp(modelId: string): Promise<void> {
    const abort = (this.warmAbort = new AbortController());
    this.warming = { modelId, progress: null };
    try {
      await this.client.generate({ request: warmUpRequest(this.entry(modelId)), signal: abort.signal, onProgress: (progress) => (this.warming = { modelId, progress }) });
    } catch {
      // Cancelled or failed: the model is loaded all the same; a real error shows on the first Generate.
    } finally {
      this.warming = null;
      this.warmAbort = null;
    }
  }

  async init(): Promise<void> {
    try {
      this.caps = await this.client.capabilities();
    } catch {
      this.caps = { webgpu: false, shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0 };
    }
    await this.refreshDownloaded();
    this.persisted = await persistence(false);
  }

  /** Where the entries' relative URLs point (the manifest's folder). */
  get modelOrigin(): string {
    return this.manifestUrl ? new URL('.', new URL(this.manifestUrl, this.origin)).href : this.origin;
  }

  async refreshDownloaded(): Promise<void> {
    for (const m of this.manifest.models) this.downloaded[m.id] = await isModelDownloaded(m, this.modelOrigin);
  }

  /** Deletes a model's cached files (keeping what other loaded models use); returns how many files went. */
  async deleteCached(modelId: string): Promise<number> {
    const files = await this.client.deleteCache(modelId, { manifestUrl: this.manifestUrl });
    await this.refreshDownloaded();
    return files;
  }

  /** Why this device cannot run the model (checked before any download), or undefined. */
  cannotRun(entry: ModelEntry): OresError | undefined {
    try {
      assertPinned(entry);
      if (!this.caps) return undefined;
      chooseProvider(entry, this.caps);
      return undefined;
    } catch (e) {
      return e as OresError;
    }
  }

  /** Loads a model; `wanted` 'auto' (or a provider this model cannot use here) lets the worker pick the faster. */
  async load(modelId: string, wanted: ProviderSetting = 'auto'): Promise<boolean> {
    if (this.loading || this.warming) return false;
    this.error = null;
    const refused = this.cannotRun(this.entry(modelId));
    if (refused) {
      this.error = { modelId, error: refused };
      return false;
    }
    this.loading = { modelId, progress: null }; // before the checks below, so a second click cannot start a second load
    const entry = this.entry(modelId);
    if (!entry.embedded && !this.downloaded[modelId]) {
      const wontFit = await downloadWontFit(entry, this.modelOrigin);
      if (wontFit) {
        this.error = { modelId, error: wontFit };
        this.loading = null;
        return false;
      }
      // A cache the browser may evict would lose gigabytes silently: ask once, on the first large download.
      if ((modelBytes(entry) ?? 0) >= LARGE_DOWNLOAD_BYTES && this.persisted !== true) this.persisted = await persistence(true);
    }
    try {
      const possible = this.caps ? candidateProviders(this.entry(modelId), this.caps) : [];
      const r = await this.client.load(modelId, {
        manifestUrl: this.manifestUrl,
        provider: wanted !== 'auto' && possible.includes(wanted) ? wanted : undefined,
        remembered: recallProvider(this.storage, modelId),
        onProgress: (progress) => (this.loading = { modelId, progress }),
      });
      if (r.choice.source === 'measured') rememberProvider(this.storage, { deviceKey: r.deviceKey, modelId: r.modelId, provider: r.provider, timings: r.choice.timings });
      this.stepLimits[r.modelId] = r.maxSteps;
      this.loadedId = r.modelId;
      this.provider = r.provider;
      this.providerChoice = r.choice;
      this.downloaded[modelId] = true;
      this.loading = null;
      // After the provider measurement the model is warm already; otherwise its first Generate would compile the GPU programs.
      if (!r.warm) await this.warmUp(r.modelId);
      return true;
    } catch (e) {
      this.error = { modelId, error: asOresError(e, 'internal') };
      // Refused before anything was touched (capability, unknown model): the old model stays.
      // Otherwise the worker had released it to make room: nothing is loaded now.
      if (!KEEPS_OLD_MODEL.has(this.error.error.code)) {
        this.loadedId = null;
        this.provider = null;
        this.providerChoice = null;
      }
      return false;
    } finally {
      this.loading = null;
    }
  }
}
