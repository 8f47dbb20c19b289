/**
 * The diffusion worker as the page sees it: device capabilities, which model is loaded, load
 * progress (bytes and percent for downloads) and load errors, kept next to the model picker.
 */
import { chooseProvider, type DeviceCapabilities, type Provider } from '../../core/capabilities.ts';
import { OresError } from '../../core/errors.ts';
import { assertPinned, findModel, type ModelEntry, type ModelManifest } from '../../core/manifest.ts';
import type { Progress } from '../../core/pipeline/progress.ts';
import { DiffusionClient } from '../../engine/diffusionClient.ts';
import { LARGE_DOWNLOAD_BYTES } from '../../core/storage.ts';
import { modelBytes } from '../lib/format.ts';
import { downloadWontFit, isModelDownloaded, persistence } from '../lib/modelCache.ts';

const KEEPS_OLD_MODEL = new Set(['unpinned-model-url', 'needs-webgpu', 'needs-shader-f16', 'buffer-too-small', 'unknown-model', 'bad-manifest']);

export interface LoadingState {
  readonly modelId: string;
  readonly progress: Progress | null;
}

export class DiffusionState {
  readonly client: DiffusionClient;
  caps = $state.raw<DeviceCapabilities | null>(null);
  loadedId = $state<string | null>(null);
  provider = $state<Provider | null>(null);
  loading = $state.raw<LoadingState | null>(null);
  error = $state.raw<{ modelId: string; error: OresError } | null>(null);
  downloaded = $state<Record<string, boolean>>({});
  /** Whether the browser keeps the cache (asked on the first large download); undefined: not known. */
  persisted = $state<boolean | undefined>(undefined);

  constructor(
    readonly manifest: ModelManifest,
    worker: Worker,
    private readonly origin: string,
    /** Another manifest than the app's (development: the test fixtures); the worker reads it itself. */
    private readonly manifestUrl?: string,
  ) {
    this.client = new DiffusionClient(worker);
  }

  entry(id: string): ModelEntry {
    return findModel(this.manifest, id);
  }

  get ready(): boolean {
    return this.loadedId !== null && this.loading === null;
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

  async load(modelId: string): Promise<boolean> {
    if (this.loading) return false;
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
      const r = await this.client.load(modelId, { manifestUrl: this.manifestUrl, onProgress: (progress) => (this.loading = { modelId, progress }) });
      this.loadedId = r.modelId;
      this.provider = r.provider;
      this.downloaded[modelId] = true;
      return true;
    } catch (e) {
      this.error = { modelId, error: e instanceof OresError ? e : new OresError('internal', (e as Error).message) };
      // Refused before anything was touched (capability, unknown model): the old model stays.
      // Otherwise the worker had released it to make room: nothing is loaded now.
      if (!KEEPS_OLD_MODEL.has(this.error.error.code)) {
        this.loadedId = null;
        this.provider = null;
      }
      return false;
    } finally {
      this.loading = null;
    }
  }
}
