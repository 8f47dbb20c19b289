import type { FileCheck, ModelEntry, ModelFileRole } from '../core/manifest.ts';
import { assertPinned, externalDataUrl, fileUrl } from '../core/manifest.ts';
import { ModelLoadError } from '../core/errors.ts';
import { maxStepsOf, parseSchedulerConfig } from '../core/schedulers/index.ts';
import type { SchedulerConfig } from '../core/schedulers/types.ts';
import type { Progress } from '../core/pipeline/progress.ts';
import { DEFAULT_MAX_STEPS } from '../core/pipeline/inputChecks.ts';
import type { PromptTokenizer } from '../core/pipeline/tokens.ts';
import { createClipTokenizer } from './clipTokenizer.ts';
import type { FileFetcher } from './fetcher.ts';
import type { ExecutionProvider, Ort, OrtSession } from './ort.ts';
import { OrtBackend, type DiffusionSessions } from './ortBackend.ts';
import { sessionOptions, type SessionOptions } from './sessionOptions.ts';
import type { ExpectedFile } from '../core/fileCheck.ts';
import { fetchVerified } from './checkedFetch.ts';

export interface LoadOptions {
  provider: ExecutionProvider;
  fetcher: FileFetcher;
  /** Folder of public/graphs (the helper graphs), ending in "/". */
  graphsBaseUrl: string;
  /** Size and SHA-256 of the helper graphs, keyed "graphs/<file>" (the app manifest's `assets`). */
  assets?: Record<string, FileCheck>;
  /** Base for relative model URLs (the page's URL in a browser). */
  origin?: string;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface LoadedModel {
  entry: ModelEntry;
  provider: ExecutionProvider;
  backend: OrtBackend;
  tokenizer: PromptTokenizer;
  schedulerConfig: SchedulerConfig;
  release(): Promise<void>;
}

const ONNX_FILES = ['textEncoder', 'unet', 'vaeDecoder'] as const;

/**
 * onnxruntime-web mounts external data in one WASM file table and empties it when any session
 * creation ends, so two creations at once (two loads) would lose each other's weights
 * ("Module.MountedFiles is not available"). Sessions are therefore created one at a time.
 */
let creating: Promise<unknown> = Promise.resolve();
function oneSessionAtATime<T>(job: () => Promise<T>): Promise<T> {
  const next = creating.then(job, job);
  creating = next.catch(() => undefined);
  return next;
}
const GRAPHS = { latentStep: 'latent_step.onnx', scaleExpand: 'scale_expand.onnx', concat2: 'concat2.onnx' } as const;

/** Downloads (or reads from cache) every file of a model, reporting bytes, then opens its sessions. */
export async function loadModel(ort: Ort, entry: ModelEntry, o: LoadOptions): Promise<LoadedModel> {
  assertPinned(entry);
  const roles = Object.keys(entry.files) as ModelFileRole[];
  // Exact sizes where known, a hub's rounded sizes otherwise: the total is only for progress.
  const size = (f: { bytes?: number; approxBytes?: number }) => f.bytes ?? f.approxBytes ?? 0;
  const total =
    roles.reduce((s, r) => s + size(entry.files[r]) + (entry.files[r].externalData ?? []).reduce((t, d) => t + size(d), 0), 0) || undefined;
  const loaded = new Map<string, number>();
  // Where the manifest gives no sizes (the embedded model), the sizes the server announces.
  const announced = new Map<string, number>();
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  let shown = 0; // percent never goes back when another file's size becomes known
  const report = (message?: string) => {
    const bytesLoaded = sum(loaded);
    const bytesTotal = total ?? (sum(announced) || undefined);
    shown = Math.max(shown, bytesTotal ? Math.min(100, (bytesLoaded / bytesTotal) * 100) : 0);
    o.onProgress?.({ phase: 'loading', percent: shown, bytesLoaded, bytesTotal, ...(message ? { message } : {}) });
  };
  // A file found corrupt leaves the cache, so that the next load downloads it again instead of failing forever.
  const corrupt = async (urls: string[], message: string): Promise<never> => {
    await Promise.all(urls.map((u) => o.fetcher.evict?.(u)));
    throw new ModelLoadError('model-file-corrupt', message);
  };
  /** Every file is checked before use, cached or not. */
  const checked = (url: string, what: string, expected: ExpectedFile, counted: boolean): Promise<Uint8Array> => {
    const onProgress = counted ? (n: number, t?: number) => (loaded.set(url, n), t !== undefined && announced.set(url, t), report()) : undefined;
    return fetchVerified(o.fetcher, url, what, expected, { onProgress, signal: o.signal });
  };
  const download = (url: string, what: string, expected: ExpectedFile) => checked(url, `The ${what} file of "${entry.name}"`, expected, true);
  // The graphs are the app's own small files, outside the model's byte total.
  const graph = (file: string) => checked(o.graphsBaseUrl + file, `The helper graph ${file}`, o.assets?.[`graphs/${file}`] ?? {}, false);
  const get = (role: ModelFileRole): Promise<Uint8Array> => download(fileUrl(entry, entry.files[role].path, o.origin), role, entry.files[role]);
  /** ONNX external data (weights outside the .onnx file), as onnxruntime-web's `externalData` option takes it. */
  const getExternal = (role: ModelFileRole): Promise<{ path: string; data: Uint8Array }[]> =>
    Promise.all(
      (entry.files[role].externalData ?? []).map(async (d) => ({
        path: d.path,
        data: await download(externalDataUrl(entry, entry.files[role], d.path, o.origin), `${role} external data`, d),
      })),
    );
  const json = async (role: ModelFileRole): Promise<object> => {
    const text = new TextDecoder().decode(await get(role));
    try {
      return JSON.parse(text) as object;
    } catch {
      return corrupt([fileUrl(entry, entry.files[role].path, o.origin)], `The ${role} file of "${entry.name}" is not valid JSON.`);
    }
  };

  const [tokenizerJson, tokenizerConfig, schedulerJson, external, ...onnx] = await Promise.all([
    json('tokenizer'),
    json('tokenizerConfig'),
    json('schedulerConfig'),
    Promise.all(ONNX_FILES.map(getExternal)),
    ...ONNX_FILES.map(get),
  ]);
  const graphs = await Promise.all(Object.values(GRAPHS).map(graph));

  const optionsFor = (name?: (typeof ONNX_FILES)[number]): SessionOptions => ({
    ...(name && external[ONNX_FILES.indexOf(name)]!.length ? { externalData: external[ONNX_FILES.indexOf(name)] } : {}),
    ...sessionOptions(o.provider, name ? entry.freeDimensionOverrides[name] : undefined),
  });
  const open = async (bytes: Uint8Array, what: string, name?: (typeof ONNX_FILES)[number]): Promise<OrtSession> => {
    try {
      return await oneSessionAtATime(() => ort.InferenceSession.create(bytes, optionsFor(name)));
    } catch (e) {
      const f = name && entry.files[name];
      const urls = f ? [fileUrl(entry, f.path, o.origin), ...(f.externalData ?? []).map((d) => externalDataUrl(entry, f, d.path, o.origin))] : [];
      return corrupt(urls, `The ${what} of "${entry.name}" could not be opened as an ONNX model: ${(e as Error).message}`);
    }
  };
  // One at a time: peak memory stays at one model's worth of transient buffers.
  const s: Partial<DiffusionSessions> = {};
  const parts: [keyof DiffusionSessions, Uint8Array, string, (typeof ONNX_FILES)[number]?][] = [
    ['textEncoder', onnx[0]!, 'text encoder', 'textEncoder'],
    ['unet', onnx[1]!, 'UNet', 'unet'],
    ['vaeDecoder', onnx[2]!, 'VAE decoder', 'vaeDecoder'],
    ['latentStep', graphs[0]!, 'latent_step helper graph'],
    ['scaleExpand', graphs[1]!, 'scale_expand helper graph'],
    ['concat2', graphs[2]!, 'concat2 helper graph'],
  ];
  for (const [i, [key, bytes, what, name]] of parts.entries()) {
    report(`opening the model: part ${i + 1} of ${parts.length}`);
    s[key] = await open(bytes, what, name);
  }
  const sessions = s as DiffusionSessions;

  let schedulerConfig: SchedulerConfig;
  try {
    schedulerConfig = parseSchedulerConfig(schedulerJson);
  } catch (e) {
    throw new ModelLoadError('model-file-corrupt', `The scheduler config of "${entry.name}": ${(e as Error).message}`);
  }
  // The steps its scheduler can run bound the entry's: the page and resolveRequest then refuse more before any work.
  const maxSteps = maxStepsOf(schedulerConfig, entry.scheduler, entry.maxSteps ?? DEFAULT_MAX_STEPS);
  return {
    entry: { ...entry, maxSteps },
    provider: o.provider,
    // Graphs only some methods need (SLD's batch of 3) open on first use, into the same sessions object.
    backend: new OrtBackend(ort, sessions, entry, o.provider, async (file) => open(await graph(file), `${file} helper graph`)),
    tokenizer: createClipTokenizer(tokenizerJson, tokenizerConfig, { padTokenId: entry.textEncoder.padTokenId }),
    schedulerConfig,
    release: async () => {
      await Promise.all(Object.values(sessions).map((x) => x.release()));
    },
  };
}
