import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelVersion, prebuiltAppConfig } from '@mlc-ai/web-llm';
import { CapabilityError, InvalidInputError, ModelLoadError } from '../../src/core/errors.ts';
import { buildEngineConfig, llmAppConfig, translateEngineError, type LlmProgress } from '../../src/engine/llm/engineClient.ts';
import {
  chooseModel,
  DEFAULT_MODEL_BASE,
  listModelOptions,
  mirrorAppConfig,
  mirrorModelRecord,
  mirrorWarnings,
  modelIdFor,
  SUPPORTED_MODELS,
} from '../../src/engine/llm/models.ts';
import { modelLibURLPrefix as copiedPrefix, modelVersion as copiedVersion, SUPPORTED_APP_CONFIG } from '../../src/engine/llm/webllmModels.ts';
import { modelLibURLPrefix } from '@mlc-ai/web-llm';
import { repoRoot } from './helpers/fakeChatEngine.ts';

describe('model choice', () => {
  it('picks Llama-3.2-1B-Instruct in the quantisation the GPU supports', () => {
    const f16 = chooseModel({ webgpu: true, shaderF16: true });
    expect(f16).toMatchObject({ modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', family: 'llama', quantization: 'q4f16_1' });
    expect(f16.vramMB).toBeCloseTo(879.04, 1);
    const f32 = chooseModel({ webgpu: true, shaderF16: false });
    expect(f32).toMatchObject({ modelId: 'Llama-3.2-1B-Instruct-q4f32_1-MLC', quantization: 'q4f32_1' });
    expect(f32.vramMB).toBeCloseTo(1128.82, 1);
    expect(f32.record.low_resource_required).toBe(true);
    expect(f32.record.overrides?.context_window_size).toBe(4096);
  });

  it('falls back to SmolLM2-360M under a tight VRAM budget, and explains when nothing fits', () => {
    expect(chooseModel({ shaderF16: true, maxVramMB: 600 }).modelId).toBe('SmolLM2-360M-Instruct-q4f16_1-MLC');
    expect(chooseModel({ shaderF16: false, maxVramMB: 700 }).modelId).toBe('SmolLM2-360M-Instruct-q4f32_1-MLC');
    expect(() => chooseModel({ shaderF16: false, maxVramMB: 300 })).toThrow(CapabilityError);
    expect(() => chooseModel({ shaderF16: false, maxVramMB: 300 })).toThrow(/needs 1129 MB.*needs 580 MB/);
    expect(() => chooseModel({ webgpu: false, shaderF16: false })).toThrow(/needs WebGPU.*fallback/);
    // a model without a q4f32_1 build cannot run without shader-f16
    expect(() => chooseModel({ shaderF16: false }, { base: 'gemma3-1b-it' })).toThrow(/not in WebLLM's model list/);
    expect(chooseModel({ shaderF16: true }, { base: 'Qwen2.5-1.5B-Instruct' }).modelId).toBe('Qwen2.5-1.5B-Instruct-q4f16_1-MLC');
  });

  it('offers only models WebLLM ships, in both quantisations', () => {
    for (const m of SUPPORTED_MODELS) {
      for (const q of ['q4f16_1', 'q4f32_1'] as const) {
        expect(prebuiltAppConfig.model_list.some((r) => r.model_id === modelIdFor(m.base, q)), `${m.base} ${q}`).toBe(true);
      }
    }
    const options = listModelOptions({ shaderF16: false, maxVramMB: 1200 });
    expect(options[0]).toMatchObject({ base: DEFAULT_MODEL_BASE, fits: true });
    expect(options.find((o) => o.base === 'Phi-3.5-mini-instruct')).toMatchObject({ fits: false, why: expect.stringMatching(/GPU memory/) });
  });
});

describe("the copy of WebLLM's model list (the page chooses without loading WebLLM)", () => {
  it('holds exactly WebLLM\'s records for every supported model in both quantisations (else: npm run build:llm-models)', () => {
    const wanted = SUPPORTED_MODELS.flatMap((m) => [modelIdFor(m.base, 'q4f16_1'), modelIdFor(m.base, 'q4f32_1')]);
    expect(SUPPORTED_APP_CONFIG.model_list.map((r) => r.model_id).sort()).toEqual([...wanted].sort());
    for (const r of SUPPORTED_APP_CONFIG.model_list) expect(r).toEqual(prebuiltAppConfig.model_list.find((p) => p.model_id === r.model_id));
    expect([copiedVersion, copiedPrefix]).toEqual([modelVersion, modelLibURLPrefix]);
  });

  it('models.ts imports WebLLM for types only', () => {
    const source = readFileSync(repoRoot + 'src/engine/llm/models.ts', 'utf8');
    expect(source).not.toMatch(/^import\s+(?!type\b)[^;]*'@mlc-ai\/web-llm'/m);
  });
});

describe('mirrors for offline kiosks', () => {
  const record = prebuiltAppConfig.model_list.find((r) => r.model_id === 'Llama-3.2-1B-Instruct-q4f32_1-MLC');
  if (!record) throw new Error('record missing');

  it('rewrites weights to <mirror>/<model-id>/resolve/main/ and the library to the lib mirror', () => {
    const m = mirrorModelRecord(record, { modelBase: 'https://kiosk.example/llm/' });
    expect(m.model).toBe('https://kiosk.example/llm/Llama-3.2-1B-Instruct-q4f32_1-MLC/resolve/main/');
    expect(m.model).toMatch(/.+\/resolve\/.+\//); // WebLLM will not append resolve/main again
    expect(m.model_lib).toBe(`https://kiosk.example/llm/libs/${modelVersion}/Llama-3.2-1B-Instruct-q4f32_1_cs1k-webgpu.wasm`);
    const withLib = mirrorModelRecord(record, { modelBase: 'https://kiosk.example/llm', libBase: 'https://kiosk.example/wasm' });
    expect(withLib.model_lib).toBe(`https://kiosk.example/wasm/${modelVersion}/Llama-3.2-1B-Instruct-q4f32_1_cs1k-webgpu.wasm`);
    expect(withLib.model_id).toBe(record.model_id);
    expect(withLib.vram_required_MB).toBe(record.vram_required_MB);
    const all = mirrorAppConfig(prebuiltAppConfig, { modelBase: 'https://kiosk.example/llm' });
    expect(all.model_list.every((r) => r.model.startsWith('https://kiosk.example/llm/'))).toBe(true);
  });

  it('refuses relative mirrors and warns about localhost', () => {
    expect(() => mirrorModelRecord(record, { modelBase: '/models' })).toThrow(InvalidInputError);
    expect(() => mirrorModelRecord(record, { modelBase: 'file:///models' })).toThrow(/http\(s\)/);
    expect(mirrorWarnings({ modelBase: 'http://localhost:8080/llm' })[0]).toMatch(/not cache/);
    expect(mirrorWarnings({ modelBase: 'https://kiosk.example/llm' })).toEqual([]);
  });
});

describe('engine wiring', () => {
  it('caches weights in IndexedDB, applies the mirror and reports progress', () => {
    expect(llmAppConfig().cacheBackend).toBe('indexeddb');
    const seen: LlmProgress[] = [];
    const cfg = buildEngineConfig(() => 'Llama-3.2-1B-Instruct-q4f16_1-MLC', {
      mirror: { modelBase: 'https://kiosk.example/llm' },
      onProgress: (p) => seen.push(p),
    });
    expect(cfg.appConfig.cacheBackend).toBe('indexeddb');
    expect(cfg.appConfig.model_list[0]?.model.startsWith('https://kiosk.example/llm/')).toBe(true);
    cfg.initProgressCallback?.({ progress: 0.25, timeElapsed: 3, text: 'Fetching param cache[1/20]' });
    expect(seen).toEqual([{ modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', fraction: 0.25, text: 'Fetching param cache[1/20]', elapsedS: 3 }]);
  });

  it("translates WebLLM's errors into ours", () => {
    const err = (name: string, message = 'x'): Error => Object.assign(new Error(message), { name });
    expect(translateEngineError(err('WebGPUNotAvailableError'), 'm')).toMatchObject({ code: 'needs-webgpu' });
    expect(translateEngineError(err('ShaderF16SupportError'), 'm')).toMatchObject({ code: 'needs-shader-f16' });
    expect(translateEngineError(err('DeviceLostError'), 'm')).toBeInstanceOf(CapabilityError);
    expect(translateEngineError(err('QuotaExceededError'), 'm')).toMatchObject({ code: 'storage-full' });
    expect(translateEngineError(new TypeError('Failed to fetch'), 'm')).toMatchObject({ code: 'llm-download-failed' });
    expect(translateEngineError(new Error('weird'), 'm')).toBeInstanceOf(ModelLoadError);
  });

  it('runs WebLLM in the worker behind its handler', () => {
    const src = readFileSync(repoRoot + 'workers/llm.worker.ts', 'utf8');
    expect(src).toMatch(/new WebWorkerMLCEngineHandler\(\)/);
    expect(src).toMatch(/handler\.onmessage\(/);
  });
});
