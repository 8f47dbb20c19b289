import { CapabilityError } from './errors.ts';
import type { ModelEntry } from './manifest.ts';

/** What the device offers, as read from navigator.gpu (see src/engine/detectCapabilities.ts). */
export interface DeviceCapabilities {
  webgpu: boolean;
  shaderF16: boolean;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  adapter?: string;
}

export type Provider = 'webgpu' | 'wasm';

/**
 * Decides where a model can run, before any byte is downloaded. fp16 models need WebGPU with
 * shader-f16 (WASM has no fp16 kernels for them); fp32 models fall back to WASM without WebGPU.
 */
export function chooseProvider(entry: ModelEntry, caps: DeviceCapabilities, wanted?: Provider): Provider {
  const fallback = entry.fallback ? ` Use "${entry.fallback}" instead.` : '';
  if (entry.dtype === 'fp16' || entry.requires.shaderF16) {
    if (!caps.webgpu) {
      throw new CapabilityError('needs-webgpu', `"${entry.name}" is an fp16 model and needs WebGPU, which this browser does not offer.${fallback}`);
    }
    if (!caps.shaderF16) {
      throw new CapabilityError(
        'needs-shader-f16',
        `"${entry.name}" is an fp16 model and this GPU does not support shader-f16 (half-precision shaders).${fallback}`,
      );
    }
    if (wanted === 'wasm') {
      throw new CapabilityError('needs-webgpu', `"${entry.name}" is an fp16 model and runs only on WebGPU, not on the WASM backend.${fallback}`);
    }
  }
  const provider: Provider = wanted ?? (caps.webgpu ? 'webgpu' : 'wasm');
  if (provider === 'webgpu') {
    if (!caps.webgpu) throw new CapabilityError('needs-webgpu', 'WebGPU is not available in this browser; choose the WASM backend.');
    const need = entry.requires;
    if (need.maxBufferSize && caps.maxBufferSize < need.maxBufferSize) {
      throw new CapabilityError(
        'buffer-too-small',
        `"${entry.name}" needs GPU buffers of ${mb(need.maxBufferSize)} but this GPU allows ${mb(caps.maxBufferSize)} (maxBufferSize).${fallback}`,
      );
    }
    if (need.maxStorageBufferBindingSize && caps.maxStorageBufferBindingSize < need.maxStorageBufferBindingSize) {
      throw new CapabilityError(
        'buffer-too-small',
        `"${entry.name}" needs storage bindings of ${mb(need.maxStorageBufferBindingSize)} but this GPU allows ${mb(caps.maxStorageBufferBindingSize)} (maxStorageBufferBindingSize).${fallback}`,
      );
    }
  }
  return provider;
}

/**
 * Every provider that can run the model here, preferred first (WebGPU, then WASM); throws the
 * reason when none can.
 */
export function candidateProviders(entry: ModelEntry, caps: DeviceCapabilities): Provider[] {
  const preferred = chooseProvider(entry, caps);
  const out: Provider[] = [preferred];
  for (const p of ['webgpu', 'wasm'] as const) {
    if (p === preferred) continue;
    try {
      out.push(chooseProvider(entry, caps, p));
    } catch {
      // this provider cannot run the model here; the others still can
    }
  }
  return out;
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}
