import { z } from 'zod';
import { InvalidInputError, ModelLoadError } from './errors.ts';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');

const externalDataFile = z.object({
  /** The location the model's initializers name (e.g. "model.onnx_data"); fetched from the model file's folder. */
  path: z.string().min(1),
  bytes: z.number().int().positive().optional(),
  approxBytes: z.number().int().positive().optional(),
  sha256: sha256.optional(),
});

/** What a file must be: checked on download and again each time a cached copy is used. */
const fileCheck = z.object({ bytes: z.number().int().positive(), sha256 });

const file = z.object({
  /** Relative to the entry's baseUrl, or an absolute URL (used as it is). */
  path: z.string().min(1),
  /** Exact size; a download of another size is rejected as corrupt. */
  bytes: z.number().int().positive().optional(),
  /** Size as a hub's file list rounds it: only for the progress total, never checked. */
  approxBytes: z.number().int().positive().optional(),
  /** Hex SHA-256; checked after download and before each use when present. */
  sha256: sha256.optional(),
  /** ONNX external-data files the model references, by the path the model uses. */
  externalData: z.array(externalDataFile).optional(),
});

const worldJudge = z.object({ kind: z.literal('world'), path: z.string().min(1), bytes: z.number().int().positive().optional(), sha256: sha256.optional() });

/** Files like a model's (relative to the entry's baseUrl or absolute, pinned and checked the same way). */
const clipJudge = z.object({
  kind: z.literal('clip'),
  /** Names the judge in every verdict ("CLIP zero-shot judge (<name>)"). */
  name: z.string().min(1),
  files: z.object({
    /** CLIPModel's combined graph (input_ids, attention_mask, pixel_values -> logits_per_image). */
    model: file,
    config: file,
    tokenizer: file,
    tokenizerConfig: file,
    preprocessorConfig: file,
  }),
});

const modelEntry = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" or "-"'),
  name: z.string().min(1),
  description: z.string().default(''),
  /** Absolute URL, or relative to the page (the embedded model). */
  baseUrl: z.string().min(1),
  dtype: z.enum(['fp32', 'fp16']),
  /** Whether this entry ships with the app (no download). */
  embedded: z.boolean().default(false),
  files: z.object({
    textEncoder: file,
    unet: file,
    vaeDecoder: file,
    tokenizer: file,
    tokenizerConfig: file,
    schedulerConfig: file,
  }),
  scheduler: z.enum(['ddim', 'euler', 'euler_ancestral']),
  defaults: z.object({
    steps: z.number().int().positive(),
    guidanceScale: z.number().nonnegative(),
    /** TIN's switch step as a fraction of T. */
    switchFraction: z.number().min(0).max(1).default(0.15),
  }),
  maxSteps: z.number().int().positive().optional(),
  latent: z.object({
    channels: z.number().int().positive(),
    height: z.number().int().positive(),
    width: z.number().int().positive(),
    scalingFactor: z.number().positive(),
  }),
  textEncoder: z.object({
    inputIdsDtype: z.enum(['int32', 'int64']),
    outputName: z.string().default('last_hidden_state'),
    /** Overrides the tokenizer's pad token (SD 2.x pads with "!" = 0). */
    padTokenId: z.number().int().nonnegative().optional(),
  }),
  unet: z.object({
    timestepDtype: z.enum(['int64', 'float32']),
    /** "1": one timestep broadcast over the batch; "batch": one per batch entry. */
    timestepShape: z.enum(['1', 'batch']).default('1'),
    outputName: z.string().default('out_sample'),
  }),
  vaeDecoder: z.object({ inputName: z.string().default('latent_sample'), outputName: z.string().default('sample') }).default({
    inputName: 'latent_sample',
    outputName: 'sample',
  }),
  /** onnxruntime-web freeDimensionOverrides per model file. */
  freeDimensionOverrides: z.record(z.string(), z.record(z.string(), z.number().int().positive())).default({}),
  requires: z
    .object({
      shaderF16: z.boolean().default(false),
      /** Largest single GPU buffer the model needs, in bytes. */
      maxBufferSize: z.number().int().positive().optional(),
      maxStorageBufferBindingSize: z.number().int().positive().optional(),
    })
    .default({ shaderF16: false }),
  /** A model usable in its place when this one cannot run (e.g. fp32 for an fp16 entry). */
  fallback: z.string().optional(),
  /**
   * The judge that checks every image made under a policy before it is shown. "world": the
   * embedded world's attribute classifier (an ONNX file relative to baseUrl). "clip": a CLIP model
   * in transformers.js layout that judges any concept zero-shot. Without one, results say "not
   * checked" and a kiosk that requires verification refuses to start.
   */
  judge: z.discriminatedUnion('kind', [worldJudge, clipJudge]).optional(),
  license: z.string().optional(),
  source: z.string().optional(),
});

const manifest = z.object({
  version: z.literal(1),
  defaultModel: z.string(),
  models: z.array(modelEntry).min(1),
  /** The app's own shared files (helper graphs, guard lexicon), by path relative to the app's base URL. */
  assets: z.record(z.string(), fileCheck).default({}),
});

export type ModelFile = z.infer<typeof file>;
export type ModelEntry = z.infer<typeof modelEntry>;
export type ModelManifest = z.infer<typeof manifest>;
export type ModelFileRole = keyof ModelEntry['files'];
export type FileCheck = z.infer<typeof fileCheck>;
export type ClipJudgeSpec = z.infer<typeof clipJudge>;

export function parseManifest(json: unknown, source = 'models manifest'): ModelManifest {
  const result = manifest.safeParse(json);
  if (!result.success) {
    throw new InvalidInputError('bad-manifest', `${source} is invalid:\n${z.prettifyError(result.error)}`);
  }
  const ids = new Set<string>();
  for (const m of result.data.models) {
    if (ids.has(m.id)) throw new InvalidInputError('bad-manifest', `${source} lists model "${m.id}" twice.`);
    ids.add(m.id);
  }
  if (!ids.has(result.data.defaultModel)) {
    throw new InvalidInputError('bad-manifest', `${source} names default model "${result.data.defaultModel}", which it does not list.`);
  }
  for (const m of result.data.models) {
    if (m.fallback !== undefined && (m.fallback === m.id || !ids.has(m.fallback))) {
      throw new InvalidInputError(
        'bad-manifest',
        `${source}: model "${m.id}" names fallback "${m.fallback}", which ${m.fallback === m.id ? 'is itself' : 'it does not list'}.`,
      );
    }
  }
  return result.data;
}

export function findModel(m: ModelManifest, id: string): ModelEntry {
  const entry = m.models.find((e) => e.id === id);
  if (!entry) {
    throw new InvalidInputError('unknown-model', `Unknown model "${id}". Known models: ${m.models.map((e) => e.id).join(', ')}.`);
  }
  return entry;
}

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * URL of one of the entry's files. A path that is already an absolute URL (a tokenizer from another
 * repository) is used as it is; others are relative to the entry's baseUrl, and relative base URLs
 * resolve against `origin` (the page).
 */
export function fileUrl(entry: ModelEntry, path: string, origin?: string): string {
  if (ABSOLUTE_URL.test(path)) return path;
  const base = entry.baseUrl.endsWith('/') ? entry.baseUrl : entry.baseUrl + '/';
  return origin ? new URL(base + path, origin).href : base + path;
}

/** URL of an external-data file of `file`: the path the model names, in the model file's folder. */
export function externalDataUrl(entry: ModelEntry, file: ModelFile, dataPath: string, origin?: string): string {
  const modelUrl = fileUrl(entry, file.path, origin);
  if (ABSOLUTE_URL.test(modelUrl)) return new URL(dataPath, modelUrl).href;
  return modelUrl.slice(0, modelUrl.lastIndexOf('/') + 1) + dataPath;
}

/** Every URL a model's download fetches (its files and their external data), e.g. to delete them from a cache. */
export function entryFileUrls(entry: ModelEntry, origin?: string): string[] {
  const urls: string[] = [];
  for (const f of Object.values(entry.files)) {
    urls.push(fileUrl(entry, f.path, origin));
    for (const d of f.externalData ?? []) urls.push(externalDataUrl(entry, f, d.path, origin));
  }
  return [...new Set(urls)];
}

export interface JudgeFile {
  readonly role: string;
  readonly url: string;
  readonly bytes?: number;
  readonly sha256?: string;
}

/** The judge's files with their URLs and checks (none without a judge); downloaded only when the first image is judged. */
export function judgeFiles(entry: ModelEntry, origin?: string): JudgeFile[] {
  const j = entry.judge;
  if (!j) return [];
  const files: [string, { path: string; bytes?: number; sha256?: string }][] = j.kind === 'world' ? [['model', j]] : Object.entries(j.files);
  return files.map(([role, f]) => ({ role, url: fileUrl(entry, f.path, origin), bytes: f.bytes, sha256: f.sha256 }));
}

/** A Hugging Face file URL's revision (`.../resolve/<revision>/...`), or undefined for other URLs. */
export function hubRevision(url: string): string | undefined {
  return /^https:\/\/huggingface\.co\/[^/]+\/[^/]+\/resolve\/([^/]+)\//.exec(url)?.[1];
}

/**
 * The hub URLs of an entry that name a branch or tag instead of a commit: what they return can
 * change under the same URL, so no size or checksum can be trusted for them, and the loader refuses them.
 */
export function unpinnedUrls(entry: ModelEntry): string[] {
  return [...entryFileUrls(entry), ...judgeFiles(entry).map((f) => f.url)].filter((u) => {
    const rev = hubRevision(u);
    return rev !== undefined && !/^[0-9a-f]{40}$/.test(rev);
  });
}

/** Refuses an entry with unpinned hub files, before anything is downloaded. */
export function assertPinned(entry: ModelEntry): void {
  const unpinned = unpinnedUrls(entry);
  if (unpinned.length) {
    throw new ModelLoadError(
      'unpinned-model-url',
      `"${entry.name}" names hub files by a branch, not a commit (${unpinned[0]}): their contents can change under the same URL, so they cannot be checked. Pin the entry to a commit in the models manifest.`,
    );
  }
}

/**
 * What deleting one model from a cache frees: the files it uses (its own, and the shared ones it
 * claimed when it loaded, such as helper graphs) that no other loaded model has claimed.
 */
export function urlsToDelete(own: readonly string[], otherClaims: readonly (readonly string[])[]): string[] {
  const stillUsed = new Set(otherClaims.flat());
  return [...new Set(own)].filter((u) => !stillUsed.has(u));
}
