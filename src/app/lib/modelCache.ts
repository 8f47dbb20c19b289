/** Whether a downloadable model's files are already in the worker's download cache (same origin, same IndexedDB). */
import { keys } from 'idb-keyval';
import { fileUrl, type ModelEntry } from '../../core/manifest.ts';
import { modelCacheStore } from '../../engine/browserFetcher.ts';

export async function isModelDownloaded(entry: ModelEntry, origin: string): Promise<boolean> {
  if (entry.embedded) return true;
  try {
    const cached = new Set(await keys(modelCacheStore()));
    return Object.values(entry.files).every((f) => cached.has(fileUrl(entry, f.path, origin)));
  } catch {
    return false;
  }
}
