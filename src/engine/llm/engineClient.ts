/**
 * The page side of the LLM worker: WebLLM's CreateWebWorkerMLCEngine with weights cached in
 * IndexedDB, download progress, model switching, cache inspection and deletion. Thin on purpose:
 * the real engine needs WebGPU and cannot run in the Node tests; the pure parts (config, error
 * translation) are exported and tested.
 */
import { CreateWebWorkerMLCEngine, deleteModelAllInfoInCache, hasModelInCache, prebuiltAppConfig } from '@mlc-ai/web-llm';
import type { AppConfig, InitProgressReport, MLCEngineConfig, WebWorkerMLCEngine } from '@mlc-ai/web-llm';
import { CapabilityError, ModelLoadError, OresError } from '../../core/errors.ts';
import type { ChatEngine } from '../../core/rewrite/types.ts';
import { loadCleaningUp } from './cleanup.ts';
import { mirrorAppConfig, type MirrorOptions } from './models.ts';

export interface LlmProgress {
  readonly modelId: string;
  /** 0..1 */
  readonly fraction: number;
  readonly text: string;
  readonly elapsedS: number;
}

export interface LlmEngineOptions {
  /** Default: WebLLM's prebuiltAppConfig. */
  readonly appConfig?: AppConfig;
  /** Serve weights and libraries from a mirror (offline kiosks). */
  readonly mirror?: MirrorOptions;
  readonly onProgress?: (progress: LlmProgress) => void;
  readonly logLevel?: MLCEngineConfig['logLevel'];
}

/** The AppConfig we load with: mirror applied, weights cached in IndexedDB. */
export function llmAppConfig(options: Pick<LlmEngineOptions, 'appConfig' | 'mirror'> = {}): AppConfig {
  const base = options.appConfig ?? prebuiltAppConfig;
  const mirrored = options.mirror ? mirrorAppConfig(base, options.mirror) : base;
  return { ...mirrored, cacheBackend: 'indexeddb' };
}

/** The MLCEngineConfig handed to CreateWebWorkerMLCEngine. */
export function buildEngineConfig(modelId: () => string, options: LlmEngineOptions = {}): MLCEngineConfig & { appConfig: AppConfig } {
  const onProgress = options.onProgress;
  return {
    appConfig: llmAppConfig(options),
    ...(onProgress
      ? { initProgressCallback: (r: InitProgressReport) => onProgress({ modelId: modelId(), fraction: r.progress, text: r.text, elapsedS: r.timeElapsed }) }
      : {}),
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
  };
}

/** WebLLM's errors as ours, with what the user can do. */
export function translateEngineError(e: unknown, modelId: string): OresError {
  if (e instanceof OresError) return e;
  const name = (e as { name?: string } | null)?.name ?? '';
  const message = (e as { message?: string } | null)?.message ?? String(e);
  switch (name) {
    case 'WebGPUNotAvailableError':
    case 'WebGPUNotFoundError':
      return new CapabilityError('needs-webgpu', `The local language model needs WebGPU: ${message}. The offline fallback rewriter can be used instead.`);
    case 'ShaderF16SupportError':
      return new CapabilityError('needs-shader-f16', `${modelId} needs the shader-f16 GPU feature, which this GPU lacks; choose its q4f32_1 build.`);
    case 'DeviceLostError':
      return new CapabilityError('gpu-device-lost', `The GPU stopped while running ${modelId} (often out of GPU memory); try a smaller model such as SmolLM2-360M-Instruct.`);
    case 'QuotaExceededError':
      return new ModelLoadError('storage-full', `There is not enough browser storage to cache ${modelId}; free space or delete another cached model.`);
    case 'ModelNotFoundError':
    case 'SpecifiedModelNotFoundError':
      return new ModelLoadError('llm-unknown-model', `${modelId} is not in the model list: ${message}`);
    default:
      if (/fetch|network|Failed to fetch|404|Cache\.add/i.test(message)) {
        return new ModelLoadError('llm-download-failed', `Could not download ${modelId}: ${message}`);
      }
      return new ModelLoadError('llm-load-failed', `Could not start ${modelId}: ${message}`);
  }
}

/** The LLM worker, as Vite bundles it. */
export function createLlmWorker(): Worker {
  return new Worker(new URL('../../../workers/llm.worker.ts', import.meta.url), { type: 'module', name: 'llm' });
}

export class LlmEngineClient {
  private constructor(
    private readonly webllm: WebWorkerMLCEngine,
    private current: string,
    readonly appConfig: AppConfig,
  ) {}

  /** Starts WebLLM in `worker` and loads `modelId` (downloading it on first use, with progress). */
  static async create(worker: Worker, modelId: string, options: LlmEngineOptions = {}): Promise<LlmEngineClient> {
    let loading = modelId;
    const config = buildEngineConfig(() => loading, options);
    const cache = { has: (id: string) => hasModelInCache(id, config.appConfig), remove: (id: string) => deleteModelAllInfoInCache(id, config.appConfig) };
    try {
      const engine = await loadCleaningUp(modelId, cache, () => CreateWebWorkerMLCEngine(worker, modelId, config));
      const client = new LlmEngineClient(engine, modelId, config.appConfig);
      client.setLoading = (id) => (loading = id);
      return client;
    } catch (e) {
      throw translateEngineError(e, modelId);
    }
  }

  private setLoading: (id: string) => void = () => {};

  /** The engine for the rewriter and instruction learning. */
  get engine(): ChatEngine {
    return this.webllm;
  }

  get modelId(): string {
    return this.current;
  }

  /** Unloads the current model and loads another (downloading it if needed). */
  async switchModel(modelId: string): Promise<void> {
    this.setLoading(modelId);
    try {
      await this.webllm.reload(modelId);
      this.current = modelId;
    } catch (e) {
      throw translateEngineError(e, modelId);
    }
  }

  isCached(modelId: string): Promise<boolean> {
    return hasModelInCache(modelId, this.appConfig);
  }

  /** Deletes a model's weights, library and config from the cache (unloading it first if it is running). */
  async deleteCached(modelId: string): Promise<void> {
    if (modelId === this.current) await this.webllm.unload();
    await deleteModelAllInfoInCache(modelId, this.appConfig);
  }

  unload(): Promise<void> {
    return this.webllm.unload();
  }
}

/** Cache queries without a running engine (e.g. a settings page). */
export const isModelCached = (modelId: string, options: Pick<LlmEngineOptions, 'appConfig' | 'mirror'> = {}): Promise<boolean> =>
  hasModelInCache(modelId, llmAppConfig(options));
export const deleteCachedModel = (modelId: string, options: Pick<LlmEngineOptions, 'appConfig' | 'mirror'> = {}): Promise<void> =>
  deleteModelAllInfoInCache(modelId, llmAppConfig(options));
