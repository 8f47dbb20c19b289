/**
 * The measured provider choice per model, kept in localStorage between visits (the worker re-measures
 * when the entry was made on another device; see src/core/providerChoice.ts).
 */
import type { RememberedProvider } from '../../core/providerChoice.ts';

export const PROVIDER_STORAGE_KEY = 'ores.provider.v1';
type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

function readAll(storage: StorageLike | undefined): Record<string, RememberedProvider> {
  try {
    const raw: unknown = JSON.parse(storage?.getItem(PROVIDER_STORAGE_KEY) ?? 'null');
    return raw && typeof raw === 'object' ? (raw as Record<string, RememberedProvider>) : {};
  } catch {
    return {};
  }
}

export function recallProvider(storage: StorageLike | undefined, modelId: string): RememberedProvider | undefined {
  const r = readAll(storage)[modelId];
  const valid = r && typeof r.deviceKey === 'string' && r.modelId === modelId && (r.provider === 'webgpu' || r.provider === 'wasm') && Array.isArray(r.timings);
  return valid ? r : undefined;
}

export function rememberProvider(storage: StorageLike | undefined, r: RememberedProvider): void {
  try {
    storage?.setItem(PROVIDER_STORAGE_KEY, JSON.stringify({ ...readAll(storage), [r.modelId]: r }));
  } catch {
    // storage full or blocked: the next visit measures again
  }
}
