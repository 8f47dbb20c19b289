import { candidateProviders, chooseProvider, type DeviceCapabilities, type Provider } from '../core/capabilities.ts';
import { InvalidInputError, OresError } from '../core/errors.ts';
import { entryFileUrls, findModel, judgeFiles, urlsToDelete, type ModelEntry, type ModelManifest } from '../core/manifest.ts';
import { openJudge, type OpenJudge } from './judge/openJudge.ts';
import type { RgbaImage } from '../core/pipeline/image.ts';
import type { PromptSource } from '../core/pipeline/schedule.ts';
import type { GenerateRequest } from '../core/pipeline/request.ts';
import { deviceKey, pickFastest, planProvider, type ProviderDecision, type ProviderTiming } from '../core/providerChoice.ts';
import type { FileFetcher } from './fetcher.ts';
import { generate } from './generate.ts';
import { loadModel, type LoadedModel } from './loadModel.ts';
import type { Ort } from './ort.ts';
import { timeWarmStep } from './timeStep.ts';
import type { HostRequest, HostResponse, WirePrompt, WireError } from './protocol.ts';

export interface HostDeps {
  ort: Ort;
  manifest: ModelManifest;
  /** Reads another manifest (a kiosk's mirror, a test's fixtures); its relative URLs resolve against it. */
  fetchManifest: (url: string) => Promise<ModelManifest>;
  fetcher: FileFetcher;
  graphsBaseUrl: string;
  origin?: string;
  capabilities: () => Promise<DeviceCapabilities>;
  encodePng: (image: RgbaImage) => Promise<Blob | Uint8Array>;
  post: (message: HostResponse) => void;
  /**
   * Times one warm step of a loaded model by running a short generation with the model's own
   * guidance, which compiles every program a Generate uses (tests inject fake timings).
   */
  timeStep?: (model: LoadedModel) => Promise<number>;
  /** The CPU's thread count, part of what identifies this device for a remembered provider choice. */
  hardwareConcurrency?: number;
  /** The download cache (keyed by URL) and which loaded model uses which of its files. Without it, delete-cache fails. */
  cache?: ModelCacheClaims;
}

export interface ModelCacheClaims {
  /** Every model that loaded, by key, with the URLs it used. */
  claims(): Promise<Record<string, string[]>>;
  claim(key: string, urls: string[]): Promise<void>;
  unclaim(key: string): Promise<void>;
  /** Removes these URLs; returns how many were cached. */
  delete(urls: string[]): Promise<number>;
}

export function toWireError(e: unknown): WireError {
  if (e instanceof OresError) return { name: e.name, code: e.code, message: e.message };
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, code: 'internal', message: err.message };
}

/**
 * The diffusion worker's logic, apart from `self`: one model loaded at a time, one generation at
 * a time (a second is refused while one runs), cancel by id, pending prompts resolved by message.
 */
export function createDiffusionHost(d: HostDeps): (msg: HostRequest) => Promise<void> {
  let model: LoadedModel | null = null;
  let loadedFrom: string | undefined;
  /** The loaded model's judge, opened on first use. */
  let judge: { modelId: string; opened: Promise<OpenJudge> } | null = null;
  let running: { id: number; abort: AbortController; pending: Map<string, { resolve: (t: string) => void; reject: (e: Error) => void }> } | null = null;

  /** One key per model and manifest: two manifests may use the same id. */
  const claimKey = (modelId: string, manifestUrl?: string) => (manifestUrl ? `${manifestUrl}#${modelId}` : modelId);
  const graphUrls = () => Object.keys(d.manifest.assets).flatMap((p) => (p.startsWith('graphs/') ? [d.graphsBaseUrl + p.slice('graphs/'.length)] : []));
  const fail = (id: number, e: unknown) => d.post({ type: 'error', id, error: toWireError(e) });
  /** A manifest's relative URLs resolve against the manifest itself. */
  const modelOrigin = (manifestUrl?: string) => (manifestUrl ? new URL('.', new URL(manifestUrl, d.origin)).href : d.origin);
  /** A model's files and its judge's (downloaded on the first judged image): deleted and claimed together. */
  const modelUrls = (entry: ModelEntry, manifestUrl?: string) => {
    const origin = modelOrigin(manifestUrl);
    return [...entryFileUrls(entry, origin), ...judgeFiles(entry, origin).map((f) => f.url)];
  };

  return async (msg) => {
    switch (msg.type) {
      case 'capabilities':
        d.post({ type: 'capabilities', id: msg.id, capabilities: await d.capabilities() });
        return;
      case 'delete-cache':
        try {
          if (!d.cache) throw new OresError('no-cache', 'This worker keeps no download cache.');
          const manifest = msg.manifestUrl ? await d.fetchManifest(msg.manifestUrl) : d.manifest;
          const entry = findModel(manifest, msg.modelId);
          const key = claimKey(entry.id, msg.manifestUrl);
          const claims = await d.cache.claims();
          // Its files (even from a download that never finished) and the shared ones it used, unless another model uses them.
          const own = [...modelUrls(entry, msg.manifestUrl), ...(claims[key] ?? [])];
          const files = await d.cache.delete(urlsToDelete(own, Object.entries(claims).filter(([k]) => k !== key).map(([, urls]) => urls)));
          await d.cache.unclaim(key);
          d.post({ type: 'cache-deleted', id: msg.id, modelId: entry.id, files });
        } catch (e) {
          fail(msg.id, e);
        }
        return;
      case 'load':
        try {
          const manifest = msg.manifestUrl ? await d.fetchManifest(msg.manifestUrl) : d.manifest;
          const entry = findModel(manifest, msg.modelId);
          const caps = await d.capabilities();
          // A user's choice is checked as before; otherwise every provider that can run it here competes.
          const candidates = msg.provider ? [chooseProvider(entry, caps, msg.provider)] : candidateProviders(entry, caps);
          const device = deviceKey(caps.adapter, d.hardwareConcurrency);
          const plan = planProvider({ candidates, deviceKey: device, modelId: entry.id, override: msg.provider, remembered: msg.remembered });
          if (model) await model.release();
          model = null;
          loadedFrom = msg.manifestUrl;
          const open = (provider: Provider) =>
            loadModel(d.ort, entry, {
              provider,
              fetcher: d.fetcher,
              graphsBaseUrl: d.graphsBaseUrl,
              origin: modelOrigin(msg.manifestUrl),
              assets: d.manifest.assets,
              onProgress: (progress) => d.post({ type: 'progress', id: msg.id, progress }),
            });
          let choice: ProviderDecision;
          // Measured: the kept model has just run a whole generation, so the page need not warm it up again.
          let warm = false;
          if ('use' in plan) {
            model = await open(plan.use.provider);
            choice = plan.use;
          } else {
            const measured = await measureProviders(plan.measure, open, d.timeStep ?? timeWarmStep);
            model = measured.model;
            choice = measured.choice;
            warm = true;
          }
          await d.cache?.claim(claimKey(entry.id, msg.manifestUrl), [...modelUrls(entry, msg.manifestUrl), ...graphUrls()]);
          d.post({ type: 'loaded', id: msg.id, modelId: entry.id, provider: choice.provider, choice, deviceKey: device, maxSteps: model.entry.maxSteps!, warm });
        } catch (e) {
          fail(msg.id, e);
        }
        return;
      case 'judge':
        try {
          if (!model) throw new InvalidInputError('no-model', 'No model is loaded; load one before judging.');
          if (judge?.modelId !== model.entry.id) {
            const previous = judge;
            const opening = openJudge(model.entry, { ort: d.ort, fetcher: d.fetcher, origin: modelOrigin(loadedFrom) });
            opening.catch(() => judge?.opened === opening && (judge = null)); // a failed open is tried again next time
            judge = { modelId: model.entry.id, opened: opening };
            void previous?.opened.then((j) => j.release(), () => {}); // another model's judge
          }
          const opened = await judge.opened;
          d.post({ type: 'judged', id: msg.id, judge: opened.id, verdict: await opened.verdict(msg.image, msg.check) });
        } catch (e) {
          fail(msg.id, e);
        }
        return;
      case 'unload':
        if (model) await model.release();
        model = null;
        d.post({ type: 'unloaded', id: msg.id });
        return;
      case 'cancel':
        if (running?.id === msg.id) running.abort.abort();
        return;
      case 'provide-prompt': {
        const p = running?.id === msg.id ? running.pending.get(msg.key) : undefined;
        if (p) msg.text !== undefined ? p.resolve(msg.text) : p.reject(new OresError('rewrite-failed', msg.error ?? 'The rewrite failed'));
        return;
      }
      case 'generate': {
        if (!model) return fail(msg.id, new InvalidInputError('no-model', 'No model is loaded; load one before generating.'));
        if (running) return fail(msg.id, new InvalidInputError('busy', 'A generation is already running; cancel it or wait.'));
        const abort = new AbortController();
        const pending = new Map<string, { resolve: (t: string) => void; reject: (e: Error) => void }>();
        running = { id: msg.id, abort, pending };
        const source = (p: WirePrompt): PromptSource => {
          if (typeof p === 'string') return p;
          // Registered now, not when the loop first needs it: a fast rewrite's provide-prompt can
          // arrive before step S, and must not be dropped. The loop still awaits it only at step S.
          const wait = new Promise<string>((resolve, reject) => pending.set(p.pending, { resolve, reject }));
          wait.catch(() => {}); // a rewrite that fails before step S is reported when the loop gets there
          // A cancel must not leave the loop waiting for a rewrite that will never come.
          abort.signal.addEventListener('abort', () => pending.get(p.pending)?.reject(new OresError('cancelled', 'Generation cancelled')));
          return () => wait;
        };
        const w = msg.request;
        const request: GenerateRequest = { ...w, schedule: w.schedule && { ...w.schedule, prompts: w.schedule.prompts.map(source) } };
        try {
          const result = await generate(model, request, {
            signal: abort.signal,
            onProgress: (progress) => d.post({ type: 'progress', id: msg.id, progress }),
            onPreview: (step, image) => d.post({ type: 'preview', id: msg.id, step, image }),
            onMask: (step, mask) => d.post({ type: 'mask', id: msg.id, step, mask }),
          });
          const { image, ...rest } = result;
          const png = await d.encodePng(image);
          d.post({ type: 'result', id: msg.id, output: { ...rest, rgba: image, png, provider: model.provider, modelId: model.entry.id } });
        } catch (e) {
          fail(msg.id, e);
        } finally {
          running = null;
        }
        return;
      }
    }
  };
}

/**
 * Loads the model on each provider in turn, times a warm step, and keeps the faster one loaded
 * (the other is released before the next opens: one model's memory at a time, plus the winner).
 * A provider that fails to load or run is left out; if all fail, the first error is thrown.
 */
async function measureProviders(
  providers: readonly Provider[],
  open: (p: Provider) => Promise<LoadedModel>,
  timeStep: (m: LoadedModel) => Promise<number>,
): Promise<{ model: LoadedModel; choice: ProviderDecision }> {
  const timings: ProviderTiming[] = [];
  let best: { model: LoadedModel; ms: number } | null = null;
  let firstError: unknown;
  for (const provider of providers) {
    let m: LoadedModel | null = null;
    try {
      m = await open(provider);
      const ms = await timeStep(m);
      timings.push({ provider, msPerStep: ms });
      if (!best || ms < best.ms) {
        await best?.model.release();
        best = { model: m, ms };
      } else await m.release();
    } catch (e) {
      firstError ??= e;
      await m?.release();
    }
  }
  if (!best) throw firstError;
  return { model: best.model, choice: pickFastest(timings) };
}
