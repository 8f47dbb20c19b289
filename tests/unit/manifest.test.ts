import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { chooseProvider, type DeviceCapabilities } from '../../src/core/capabilities.ts';
import { entryFileUrls, externalDataUrl, fileUrl, findModel, parseManifest, type ModelEntry } from '../../src/core/manifest.ts';
import { createScheduler, parseSchedulerConfig } from '../../src/core/schedulers/index.ts';
import { fixtureModels, repoRoot } from './helpers/engine.ts';

const raw = JSON.parse(readFileSync(repoRoot + 'models-manifest/models.json', 'utf8')) as { models: Record<string, unknown>[] };
const manifest = parseManifest(raw);
const ONNX_ROLES = ['textEncoder', 'unet', 'vaeDecoder'] as const;

describe('the shipped manifest (models-manifest/models.json)', () => {
  test('parses; the embedded tiny world is first and the default', () => {
    expect(manifest.defaultModel).toBe('ores-tiny-world');
    expect(manifest.models[0]!.id).toBe('ores-tiny-world');
    expect(manifest.models[0]!.embedded).toBe(true);
    expect(manifest.models.map((m) => m.id)).toEqual(['ores-tiny-world', 'sd-turbo', 'sd21-base']);
  });

  describe.each(manifest.models.map((m) => [m.id, m] as const))('%s is consistent', (_, m: ModelEntry) => {
    test('defaults fit the limits; fp16 declares shader-f16; fallback is runnable elsewhere', () => {
      expect(m.defaults.steps).toBeLessThanOrEqual(m.maxSteps ?? 1000);
      expect(m.dtype === 'fp16').toBe(m.requires.shaderF16);
      if (m.fallback) expect(findModel(manifest, m.fallback).dtype).toBe('fp32');
    });

    test('free-dimension overrides name model files and agree with the latent and the batch', () => {
      for (const [role, dims] of Object.entries(m.freeDimensionOverrides)) {
        expect(ONNX_ROLES).toContain(role);
        for (const v of Object.values(dims)) expect(v).toBeGreaterThan(0);
      }
      // A UNet pinned to batch 1 cannot take classifier-free guidance's batch of 2.
      if (m.freeDimensionOverrides.unet?.batch_size === 1) expect(m.defaults.guidanceScale).toBeLessThanOrEqual(1);
      const unet = m.freeDimensionOverrides.unet;
      if (unet?.height) expect([unet.num_channels, unet.height, unet.width]).toEqual([m.latent.channels, m.latent.height, m.latent.width]);
      const vae = m.freeDimensionOverrides.vaeDecoder;
      if (vae?.height_latent) expect([vae.num_channels_latent, vae.height_latent, vae.width_latent]).toEqual([m.latent.channels, m.latent.height, m.latent.width]);
    });

    test('downloads are absolute HTTPS URLs with sizes for the progress total; the embedded model is local', () => {
      const urls = entryFileUrls(m, 'http://app.example/');
      if (m.embedded) {
        expect(m.baseUrl).not.toMatch(/^[a-z]+:\/\//);
        for (const u of urls) expect(u.startsWith('http://app.example/models/')).toBe(true);
        return;
      }
      expect(m.baseUrl).toMatch(/^https:\/\/huggingface\.co\/[^/]+\/[^/]+\/resolve\/[^/]+\/$/);
      for (const u of urls) expect(u).toMatch(/^https:\/\/huggingface\.co\/[^/]+\/[^/]+\/resolve\/[^/]+\/.+/);
      for (const role of [...ONNX_ROLES, 'tokenizer', 'schedulerConfig'] as const) {
        const f = m.files[role];
        expect(f.bytes ?? f.approxBytes, `${m.id} ${role} size`).toBeGreaterThan(0);
        for (const d of f.externalData ?? []) expect(d.bytes ?? d.approxBytes, `${m.id} ${role} ${d.path} size`).toBeGreaterThan(0);
      }
      // 512x512 Stable Diffusion: 4x64x64 latents, the SD VAE's scaling.
      expect(m.latent).toEqual({ channels: 4, height: 64, width: 64, scalingFactor: 0.18215 });
    });
  });

  test('SD-Turbo: the ORT example settings (1 Euler-a step at t=999, int64 timestep, SD 2.x padding, no CFG)', () => {
    const m = findModel(manifest, 'sd-turbo');
    expect(m).toMatchObject({
      dtype: 'fp16',
      scheduler: 'euler_ancestral',
      defaults: { steps: 1, guidanceScale: 0 },
      maxSteps: 4,
      textEncoder: { inputIdsDtype: 'int32', padTokenId: 0 },
      unet: { timestepDtype: 'int64', timestepShape: '1' },
      freeDimensionOverrides: {
        textEncoder: { batch_size: 1 },
        unet: { batch_size: 1, num_channels: 4, height: 64, width: 64, sequence_length: 77 },
        vaeDecoder: { batch_size: 1, num_channels_latent: 4, height_latent: 64, width_latent: 64 },
      },
    });
    expect(m.fallback).toBeUndefined();
    // Not the sizes of the example's table, which swaps UNet (1.73 GB) and text encoder (681 MB).
    expect(m.files.unet.approxBytes).toBeGreaterThan(m.files.textEncoder.approxBytes!);
    expect(m.description).toMatch(/no fp32 SD-Turbo/i);
    // The upstream scheduler config (a verbatim copy): trailing spacing gives t=999 and sigma 14.6146 in one step.
    expect(m.files.schedulerConfig.path).toMatch(/stabilityai\/sd-turbo\/resolve\/[0-9a-f]{40}\/scheduler\/scheduler_config\.json$/);
    const config = JSON.parse(readFileSync(fixtureModels + 'configs/sd-turbo-scheduler_config.json', 'utf8'));
    const s = createScheduler(config, m.scheduler);
    s.setTimesteps(1);
    expect(s.timesteps).toEqual([999]);
    expect(s.initNoiseSigma).toBeCloseTo(14.6146, 3);
    s.setTimesteps(m.maxSteps!);
    expect(s.timesteps).toEqual([999, 749, 499, 249]);
  });

  test('SD 2.1 base: 20 DDIM steps with CFG 7.5, float32 timestep, "!" padding, VAE weights in external data', () => {
    const m = findModel(manifest, 'sd21-base');
    expect(m).toMatchObject({
      dtype: 'fp16',
      scheduler: 'ddim',
      defaults: { steps: 20, guidanceScale: 7.5 },
      textEncoder: { inputIdsDtype: 'int32', padTokenId: 0 },
      unet: { timestepDtype: 'float32', timestepShape: '1' },
      freeDimensionOverrides: {},
    });
    expect(m.fallback).toBeUndefined();
    expect(m.files.vaeDecoder.externalData).toEqual([{ path: 'model.onnx_data', approxBytes: 97_400_000 }]);
    expect(externalDataUrl(m, m.files.vaeDecoder, 'model.onnx_data')).toBe(
      'https://huggingface.co/aislamov/stable-diffusion-2-1-base-onnx/resolve/main/vae_decoder/model.onnx_data',
    );
    // The repository ships a PNDM config; the entry's scheduler kind runs its betas and spacing as DDIM.
    const pndm = { _class_name: 'PNDMScheduler', beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', clip_sample: false, num_train_timesteps: 1000, prediction_type: 'epsilon', set_alpha_to_one: false, skip_prk_steps: true, steps_offset: 1, trained_betas: null };
    const s = createScheduler(parseSchedulerConfig(pndm), m.scheduler);
    s.setTimesteps(20);
    expect(s.timesteps[0]).toBe(951);
    expect(s.timesteps.at(-1)).toBe(1);
  });

  test('both hub models share one CLIP BPE tokenizer.json from a pinned revision (the SD repos ship only vocab.json/merges.txt)', () => {
    const t = findModel(manifest, 'sd-turbo').files;
    const s = findModel(manifest, 'sd21-base').files;
    expect(t.tokenizer.path).toBe(s.tokenizer.path);
    expect(t.tokenizer.path).toMatch(/^https:\/\/huggingface\.co\/Xenova\/clip-vit-base-patch16\/resolve\/[0-9a-f]{40}\/tokenizer\.json$/);
    expect(t.tokenizerConfig.path).toMatch(/\/tokenizer_config\.json$/);
  });
});

describe('capability decisions per entry (chooseProvider)', () => {
  const base: DeviceCapabilities = { webgpu: true, shaderF16: true, maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 30 };
  const devices = {
    noWebgpu: { ...base, webgpu: false, shaderF16: false },
    swiftshader: { ...base, shaderF16: false }, // CI's Chromium: WebGPU without shader-f16
    gpuF16: base,
  };
  const decide = (id: string, caps: DeviceCapabilities, wanted?: 'webgpu' | 'wasm'): string => {
    try {
      return chooseProvider(findModel(manifest, id), caps, wanted);
    } catch (e) {
      return (e as { code: string }).code;
    }
  };

  test.each([
    ['ores-tiny-world', 'wasm', 'webgpu', 'webgpu'],
    ['sd-turbo', 'needs-webgpu', 'needs-shader-f16', 'webgpu'],
    ['sd21-base', 'needs-webgpu', 'needs-shader-f16', 'webgpu'],
  ])('%s: no WebGPU -> %s, WebGPU without shader-f16 -> %s, with shader-f16 -> %s', (id, a, b, c) => {
    expect(decide(id, devices.noWebgpu)).toBe(a);
    expect(decide(id, devices.swiftshader)).toBe(b);
    expect(decide(id, devices.gpuF16)).toBe(c);
  });

  test('an fp16 entry is never put on WASM, even when asked; the fp32 one runs where asked', () => {
    expect(decide('sd-turbo', devices.gpuF16, 'wasm')).toBe('needs-webgpu');
    expect(() => chooseProvider(findModel(manifest, 'sd21-base'), devices.gpuF16, 'wasm')).toThrow(/runs only on WebGPU/);
    expect(decide('ores-tiny-world', devices.gpuF16, 'wasm')).toBe('wasm');
    expect(decide('ores-tiny-world', devices.noWebgpu, 'webgpu')).toBe('needs-webgpu');
  });

  test('the refusal names no fallback for the hub models (none exists) and says what is missing', () => {
    expect(() => chooseProvider(findModel(manifest, 'sd-turbo'), devices.swiftshader)).toThrow(/"SD-Turbo \(fp16, 1 step\)" is an fp16 model and this GPU does not support shader-f16 \(half-precision shaders\)\.$/);
  });
});

describe('file URLs', () => {
  const entry = findModel(manifest, 'sd21-base');
  const local = { ...entry, baseUrl: 'models/x' };

  test('an absolute path is used as it is; a relative one joins the base URL (and the page for relative bases)', () => {
    expect(fileUrl(entry, 'https://example.org/a/tokenizer.json')).toBe('https://example.org/a/tokenizer.json');
    expect(fileUrl(local, 'https://example.org/a/tokenizer.json', 'http://app/')).toBe('https://example.org/a/tokenizer.json');
    expect(fileUrl(entry, 'unet/model.onnx')).toBe('https://huggingface.co/aislamov/stable-diffusion-2-1-base-onnx/resolve/main/unet/model.onnx');
    expect(fileUrl(local, 'unet/model.onnx')).toBe('models/x/unet/model.onnx');
    expect(fileUrl(local, 'unet/model.onnx', 'http://app/sub/')).toBe('http://app/sub/models/x/unet/model.onnx');
  });

  test('external data sits next to its model file; entryFileUrls lists every download once', () => {
    expect(externalDataUrl(local, { path: 'vae_decoder/model.onnx' }, 'model.onnx_data')).toBe('models/x/vae_decoder/model.onnx_data');
    const urls = entryFileUrls(entry);
    expect(urls).toHaveLength(7); // 6 files (one tokenizer host) + the VAE's external data
    expect(new Set(urls).size).toBe(urls.length);
    expect(urls).toContain('https://huggingface.co/aislamov/stable-diffusion-2-1-base-onnx/resolve/main/vae_decoder/model.onnx_data');
  });
});

describe('bad manifests give specific errors', () => {
  const good = () => structuredClone(raw) as { version: number; defaultModel: string; models: Record<string, unknown>[] };
  const rejects = (json: unknown, message: RegExp) => {
    let err: unknown;
    try {
      parseManifest(json, 'test manifest');
    } catch (e) {
      err = e;
    }
    expect(err, 'should have been rejected').toBeDefined();
    expect(err).toMatchObject({ code: 'bad-manifest' });
    expect((err as Error).message).toMatch(message);
  };

  test('wrong version, no models, not an object', () => {
    rejects({ ...good(), version: 2 }, /test manifest is invalid:[\s\S]*version/);
    rejects({ ...good(), models: [] }, /models/);
    rejects('nope', /test manifest is invalid/);
  });
  test('a missing file, a bad id, an unknown dtype or scheduler', () => {
    const a = good();
    delete (a.models[1]!.files as Record<string, unknown>).unet;
    rejects(a, /models\[1\]\.files\.unet/);
    const b = good();
    b.models[1]!.id = 'SD Turbo';
    rejects(b, /lowercase letters, digits/);
    const c = good();
    c.models[2]!.dtype = 'int8';
    rejects(c, /models\[2\]\.dtype/);
    const d = good();
    d.models[2]!.scheduler = 'pndm';
    rejects(d, /models\[2\]\.scheduler/);
  });
  test('sizes and checksums must be well-formed', () => {
    const a = good();
    ((a.models[1]!.files as Record<string, Record<string, unknown>>).unet!).approxBytes = -5;
    rejects(a, /models\[1\]\.files\.unet\.approxBytes/);
    const b = good();
    ((b.models[2]!.files as Record<string, Record<string, unknown>>).unet!).sha256 = 'abc';
    rejects(b, /models\[2\]\.files\.unet\.sha256/);
    const c = good();
    ((c.models[2]!.files as Record<string, Record<string, unknown>>).vaeDecoder!).externalData = [{ path: '' }];
    rejects(c, /externalData\[0\]\.path/);
  });
  test('duplicate ids, an unlisted default, an unknown or self fallback', () => {
    const a = good();
    a.models[2]!.id = 'sd-turbo';
    rejects(a, /lists model "sd-turbo" twice/);
    rejects({ ...good(), defaultModel: 'sd-3' }, /names default model "sd-3", which it does not list/);
    const c = good();
    c.models[1]!.fallback = 'sd-turbo-fp32';
    rejects(c, /model "sd-turbo" names fallback "sd-turbo-fp32", which it does not list/);
    const d = good();
    d.models[1]!.fallback = 'sd-turbo';
    rejects(d, /names fallback "sd-turbo", which is itself/);
  });
});
