import type { DeviceCapabilities } from '../core/capabilities.ts';

/** Reads WebGPU support and limits; works in pages and workers (navigator.gpu in both). */
export async function detectCapabilities(gpu: GPU | undefined = globalThis.navigator?.gpu): Promise<DeviceCapabilities> {
  const none: DeviceCapabilities = { webgpu: false, shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0 };
  if (!gpu) return none;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return none;
  return {
    webgpu: true,
    shaderF16: adapter.features.has('shader-f16'),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    adapter: [adapter.info?.vendor, adapter.info?.architecture].filter(Boolean).join(' ') || undefined,
  };
}
