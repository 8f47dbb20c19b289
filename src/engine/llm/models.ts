/**
 * Which WebLLM model to run, and where its files come from.
 *
 * Pick (VRAM figures from WebLLM 0.2.86's prebuiltAppConfig, see docs/rewriter.md):
 * - default Llama-3.2-1B-Instruct: q4f16_1 879 MB / q4f32_1 1129 MB, 4k context, low_resource_required;
 *   the best instruction follower (JSON, rewriting, writing instructions) under ~1.1 GB;
 * - smaller fallback SmolLM2-360M-Instruct: q4f16_1 376 MB / q4f32_1 580 MB, for tight VRAM budgets.
 * q4f16_1 needs the shader-f16 WebGPU feature even where required_features does not list it
 * (web-llm issue #254), so without it we take the q4f32_1 build.
 *
 * Mirrors (offline kiosks): weights at `<mirror>/<model_id>/resolve/main/`, the model library
 * at `<libMirror>/<modelVersion>/<lib>.wasm`. Both must be absolute URLs (WebLLM calls new URL()
 * without a base).
 */
import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';
import { CapabilityError, InvalidInputError } from '../../core/errors.ts';
import { modelFamily, type ModelFamily } from '../../core/rewrite/instructions.ts';
// WebLLM's records copied, not imported: choosing a model must not load WebLLM (6 MB) into the page.
import { modelLibURLPrefix, modelVersion, SUPPORTED_APP_CONFIG } from './webllmModels.ts';

/** What the device offers (a subset of src/core/capabilities.ts DeviceCapabilities, plus a VRAM budget). */
export interface LlmCapabilities {
  readonly webgpu?: boolean;
  readonly shaderF16: boolean;
  /** GPU memory the LLM may use, in MB (unknown: no limit is applied). */
  readonly maxVramMB?: number;
}

export interface SupportedModel {
  /** The WebLLM id without quantisation ("Llama-3.2-1B-Instruct"). */
  readonly base: string;
  readonly family: ModelFamily;
  readonly parameters: string;
  readonly note: string;
}

export const DEFAULT_MODEL_BASE = 'Llama-3.2-1B-Instruct';
export const SMALL_MODEL_BASE = 'SmolLM2-360M-Instruct';

/** The models the UI offers for "switch model", default first. */
export const SUPPORTED_MODELS: readonly SupportedModel[] = [
  { base: DEFAULT_MODEL_BASE, family: 'llama', parameters: '1.2B', note: 'default: best quality under ~1.1 GB of VRAM' },
  { base: 'Qwen2.5-1.5B-Instruct', family: 'qwen', parameters: '1.5B', note: 'stronger, needs ~1.6-1.9 GB' },
  { base: 'Qwen2.5-0.5B-Instruct', family: 'qwen', parameters: '0.5B', note: 'small; about the VRAM of Llama 1B' },
  { base: 'SmolLM2-1.7B-Instruct', family: 'smollm', parameters: '1.7B', note: 'needs ~1.8-2.7 GB' },
  { base: SMALL_MODEL_BASE, family: 'smollm', parameters: '360M', note: 'smallest; for weak GPUs' },
  { base: 'gemma-2-2b-it', family: 'gemma', parameters: '2.6B', note: 'large; not low-resource' },
  { base: 'Phi-3.5-mini-instruct', family: 'phi', parameters: '3.8B', note: 'largest; desktops only' },
];

export type Quantization = 'q4f16_1' | 'q4f32_1';

export const quantizationFor = (caps: Pick<LlmCapabilities, 'shaderF16'>): Quantization => (caps.shaderF16 ? 'q4f16_1' : 'q4f32_1');

export const modelIdFor = (base: string, quantization: Quantization): string => `${base}-${quantization}-MLC`;

export interface ModelChoice {
  readonly modelId: string;
  readonly record: ModelRecord;
  readonly family: ModelFamily;
  readonly quantization: Quantization;
  readonly vramMB: number;
  /** One sentence for the UI. */
  readonly reason: string;
}

export function findModelRecord(modelId: string, appConfig: AppConfig = SUPPORTED_APP_CONFIG): ModelRecord | undefined {
  return appConfig.model_list.find((m) => m.model_id === modelId);
}

/** Why a model cannot run here, or undefined when it can. */
function unfit(record: ModelRecord, caps: LlmCapabilities): string | undefined {
  const needsF16 = record.required_features?.includes('shader-f16') || /q\d+f16/.test(record.model_id);
  if (needsF16 && !caps.shaderF16) return `${record.model_id} needs the shader-f16 GPU feature, which this GPU lacks`;
  const vram = record.vram_required_MB ?? 0;
  if (caps.maxVramMB !== undefined && vram > caps.maxVramMB) {
    return `${record.model_id} needs ${Math.round(vram)} MB of GPU memory, more than the ${Math.round(caps.maxVramMB)} MB available`;
  }
  return undefined;
}

/**
 * Chooses the model for this device: the wanted base (default Llama-3.2-1B-Instruct, then
 * SmolLM2-360M-Instruct if the first does not fit) in the quantisation the GPU supports.
 */
export function chooseModel(caps: LlmCapabilities, options: { base?: string; appConfig?: AppConfig } = {}): ModelChoice {
  if (caps.webgpu === false) {
    throw new CapabilityError('needs-webgpu', 'The local language model needs WebGPU, which this browser does not offer. The offline fallback rewriter can be used instead.');
  }
  const appConfig = options.appConfig ?? SUPPORTED_APP_CONFIG;
  const quantization = quantizationFor(caps);
  const bases = options.base ? [options.base] : [DEFAULT_MODEL_BASE, SMALL_MODEL_BASE];
  const reasons: string[] = [];
  for (const base of bases) {
    const modelId = modelIdFor(base, quantization);
    const record = findModelRecord(modelId, appConfig);
    if (!record) {
      reasons.push(`${modelId} is not in WebLLM's model list`);
      continue;
    }
    const why = unfit(record, caps);
    if (why) {
      reasons.push(why);
      continue;
    }
    const vramMB = record.vram_required_MB ?? 0;
    return {
      modelId,
      record,
      family: modelFamily(modelId),
      quantization,
      vramMB,
      reason: `${modelId}: ${quantization === 'q4f16_1' ? 'the GPU supports shader-f16' : 'no shader-f16 on this GPU, so the f32 build'}, about ${Math.round(vramMB)} MB of GPU memory.`,
    };
  }
  throw new CapabilityError('llm-does-not-fit', `No language model can run on this device: ${reasons.join('; ')}. The offline fallback rewriter can be used instead.`);
}

export interface ModelOption extends SupportedModel {
  readonly modelId: string;
  readonly vramMB?: number;
  readonly fits: boolean;
  readonly why?: string;
}

/** The supported models resolved for this device, for a model picker. */
export function listModelOptions(caps: LlmCapabilities, appConfig: AppConfig = SUPPORTED_APP_CONFIG): ModelOption[] {
  return SUPPORTED_MODELS.map((m) => {
    const modelId = modelIdFor(m.base, quantizationFor(caps));
    const record = findModelRecord(modelId, appConfig);
    const why = record ? unfit(record, caps) : `${modelId} is not in WebLLM's model list`;
    return { ...m, modelId, ...(record?.vram_required_MB !== undefined ? { vramMB: record.vram_required_MB } : {}), fits: why === undefined, ...(why ? { why } : {}) };
  });
}

export interface MirrorOptions {
  /** Absolute base URL of the weights mirror: files at `<modelBase>/<model_id>/resolve/main/`. */
  readonly modelBase: string;
  /** Absolute base URL of the model libraries: `<libBase>/<modelVersion>/<lib>.wasm` (default `<modelBase>/libs`). */
  readonly libBase?: string;
}

function absoluteBase(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInputError('mirror-url-invalid', `The ${what} mirror "${url}" is not an absolute URL (like https://models.example.org/llm): WebLLM resolves model URLs without a base.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InvalidInputError('mirror-url-invalid', `The ${what} mirror "${url}" must be an http(s) URL.`);
  }
  return parsed.href.replace(/\/+$/, '');
}

/** Things an admin should know about a mirror (empty when none). */
export function mirrorWarnings(mirror: MirrorOptions): string[] {
  const out: string[] = [];
  for (const u of [mirror.modelBase, mirror.libBase ?? '']) {
    if (/localhost|127\.0\.0\.1/.test(u)) out.push(`WebLLM does not cache files from "${u}" (URLs containing localhost are never cached): every start downloads the model again.`);
  }
  return [...new Set(out)];
}

/** The record with its weights and library pointed at the mirror (integrity hashes kept). */
export function mirrorModelRecord(record: ModelRecord, mirror: MirrorOptions): ModelRecord {
  const modelBase = absoluteBase(mirror.modelBase, 'model');
  const libBase = mirror.libBase ? absoluteBase(mirror.libBase, 'library') : `${modelBase}/libs`;
  const lib = record.model_lib.startsWith(modelLibURLPrefix)
    ? record.model_lib.slice(modelLibURLPrefix.length)
    : `${modelVersion}/${record.model_lib.split('/').pop() ?? record.model_lib}`;
  return { ...record, model: `${modelBase}/${record.model_id}/resolve/main/`, model_lib: `${libBase}/${lib}` };
}

/** An AppConfig with every model pointed at the mirror. */
export function mirrorAppConfig(appConfig: AppConfig, mirror: MirrorOptions): AppConfig {
  return { ...appConfig, model_list: appConfig.model_list.map((r) => mirrorModelRecord(r, mirror)) };
}
