import { describe, expect, it } from 'vitest';
import { candidateProviders, type DeviceCapabilities } from '../../src/core/capabilities.ts';
import { findModel } from '../../src/core/manifest.ts';
import { deviceKey, pickFastest, planProvider, type RememberedProvider } from '../../src/core/providerChoice.ts';
import { appManifest } from './helpers/engine.ts';

const here = deviceKey('google swiftshader', 2);
const both = ['webgpu', 'wasm'] as const;

describe('provider choice from measured step times', () => {
  it('picks the faster provider, whichever it is, and says why with both timings', () => {
    const wasmFaster = pickFastest([
      { provider: 'webgpu', msPerStep: 40 },
      { provider: 'wasm', msPerStep: 12 },
    ]);
    expect(wasmFaster.provider).toBe('wasm');
    expect(wasmFaster.source).toBe('measured');
    expect(wasmFaster.reason).toBe('WASM: 12 ms/step vs WebGPU 40 ms/step on this device');
    const gpuFaster = pickFastest([
      { provider: 'webgpu', msPerStep: 3.25 },
      { provider: 'wasm', msPerStep: 250 },
    ]);
    expect(gpuFaster.provider).toBe('webgpu');
    expect(gpuFaster.reason).toBe('WebGPU: 3.3 ms/step vs WASM 250 ms/step on this device');
  });

  it('ignores a provider whose timing failed (NaN) and refuses when none was timed', () => {
    expect(pickFastest([{ provider: 'webgpu', msPerStep: NaN }, { provider: 'wasm', msPerStep: 30 }]).provider).toBe('wasm');
    expect(() => pickFastest([])).toThrow(/at least one/);
  });

  it('measures when nothing is remembered, and uses a remembered choice for the same device and model', () => {
    expect(planProvider({ candidates: both, deviceKey: here, modelId: 'm' })).toEqual({ measure: both });
    const remembered: RememberedProvider = { deviceKey: here, modelId: 'm', provider: 'wasm', timings: [{ provider: 'wasm', msPerStep: 12 }, { provider: 'webgpu', msPerStep: 40 }] };
    const plan = planProvider({ candidates: both, deviceKey: here, modelId: 'm', remembered });
    expect('use' in plan && plan.use).toMatchObject({ provider: 'wasm', source: 'remembered', reason: 'WASM: 12 ms/step vs WebGPU 40 ms/step on this device (measured earlier)' });
  });

  it('measures again when the remembered entry is for another device or another model', () => {
    const remembered: RememberedProvider = { deviceKey: here, modelId: 'm', provider: 'wasm', timings: [] };
    expect(planProvider({ candidates: both, deviceKey: deviceKey('nvidia ampere', 16), modelId: 'm', remembered })).toEqual({ measure: both });
    expect(planProvider({ candidates: both, deviceKey: here, modelId: 'other', remembered })).toEqual({ measure: both });
    // A remembered provider that can no longer run it (WebGPU gone) is not used either.
    const gpu = { ...remembered, provider: 'webgpu' as const };
    expect(planProvider({ candidates: ['wasm'], deviceKey: here, modelId: 'm', remembered: gpu })).toMatchObject({ use: { provider: 'wasm', source: 'only' } });
  });

  it("honours the user's override over a remembered or measurable choice", () => {
    const remembered: RememberedProvider = { deviceKey: here, modelId: 'm', provider: 'wasm', timings: [] };
    const plan = planProvider({ candidates: both, deviceKey: here, modelId: 'm', remembered, override: 'webgpu' });
    expect(plan).toEqual({ use: { provider: 'webgpu', source: 'user', timings: [], reason: 'WebGPU: chosen in the settings' } });
  });

  it('offers both providers for an fp32 model with WebGPU, only WebGPU for an fp16 one, only WASM without a GPU', () => {
    const gpu: DeviceCapabilities = { webgpu: true, shaderF16: true, maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 31 };
    const embedded = findModel(appManifest, 'ores-tiny-world');
    expect(candidateProviders(embedded, gpu)).toEqual(['webgpu', 'wasm']);
    expect(candidateProviders(findModel(appManifest, 'sd-turbo'), gpu)).toEqual(['webgpu']);
    expect(candidateProviders(embedded, { ...gpu, webgpu: false })).toEqual(['wasm']);
    expect(() => candidateProviders(findModel(appManifest, 'sd-turbo'), { ...gpu, shaderF16: false })).toThrow(/shader-f16/);
  });
});
