import { z } from 'zod';
import { InvalidInputError } from './errors.ts';

const file = z.object({
  /** Relative to the entry's baseUrl. */
  path: z.string().min(1),
  bytes: z.number().int().positive().optional(),
  /** Hex SHA-256; checked after download when present. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** ONNX external-data files the model references, by the path the model uses. */
  externalData: z.array(z.object({ path: z.string().min(1), bytes: z.number().int().positive().optional() })).optional(),
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
  license: z.string().optional(),
  source: z.string().optional(),
});

const manifest = z.object({ version: z.literal(1), defaultModel: z.string(), models: z.array(modelEntry).min(1) });

export type ModelFile = z.infer<typeof file>;
export type ModelEntry = z.infer<typeof modelEntry>;
export type ModelManifest = z.infer<typeof manifest>;
export type ModelFileRole = keyof ModelEntry['files'];

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
  return result.data;
}

export function findModel(m: ModelManifest, id: string): ModelEntry {
  const entry = m.models.find((e) => e.id === id);
  if (!entry) {
    throw new InvalidInputError('unknown-model', `Unknown model "${id}". Known models: ${m.models.map((e) => e.id).join(', ')}.`);
  }
  return entry;
}

/** URL of one of the entry's files; relative base URLs resolve against `origin` (the page). */
export function fileUrl(entry: ModelEntry, path: string, origin?: string): string {
  const base = entry.baseUrl.endsWith('/') ? entry.baseUrl : entry.baseUrl + '/';
  return origin ? new URL(base + path, origin).href : base + path;
}
