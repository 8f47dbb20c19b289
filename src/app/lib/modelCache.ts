/**
 * The worker's download cache as the page sees it (same origin, same IndexedDB): which models are
 * downloaded, how much a download still needs and whether it fits, and checking cached files.
 */
import { ModelLoadError } from '../../core/errors.ts';
import { entryFileUrls, externalDataUrl, fileUrl, type ModelEntry, type ModelFile } from '../../core/manifest.ts';
import { spaceShortfall, type StorageNumbers } from '../../core/storage.ts';
import { browserFetcher, cachedUrls, modelCacheStore, storageEstimate } from '../../engine/browserFetcher.ts';
import { fetchChecked } from '../../engine/fetcher.ts';

/** Each file of an entry with its URL and what the manifest knows of it. */
export function entryFiles(entry: ModelEntry, origin: string): { url: string; bytes?: number; approxBytes?: number; sha256?: string }[] {
  return Object.values(entry.files).flatMap((f: ModelFile) => [
    { url: fileUrl(entry, f.path, origin), bytes: f.bytes, approxBytes: f.approxBytes, sha256: f.sha256 },
    ...(f.externalData ?? []).map((d) => ({ url: externalDataUrl(entry, f, d.path, origin), bytes: d.bytes, approxBytes: d.approxBytes, sha256: d.sha256 })),
  ]);
}

async function cachedSet(): Promise<Set<string>> {
  try {
    return new Set(await cachedUrls(modelCacheStore()));
  } catch {
    return new Set();
  }
}

export async function isModelDownloaded(entry: ModelEntry, origin: string): Promise<boolean> {
  if (entry.embedded) return true;
  const cached = await cachedSet();
  return entryFileUrls(entry, origin).every((u) => cached.has(u));
}

/** Bytes of an entry's files in the cache, and of those still to download (exact sizes, or the hub's rounded ones). */
export async function cacheBytes(entry: ModelEntry, origin: string): Promise<{ cached: number; missing: number; files: number }> {
  const cached = await cachedSet();
  let inCache = 0;
  let missing = 0;
  let files = 0;
  for (const f of entryFiles(entry, origin)) {
    const size = f.bytes ?? f.approxBytes ?? 0;
    if (cached.has(f.url)) {
      inCache += size;
      files++;
    } else missing += size;
  }
  return { cached: inCache, missing, files };
}

/** Refuses a download that will not fit the browser's storage, before it starts; undefined when it fits or nobody can tell. */
export async function downloadWontFit(entry: ModelEntry, origin: string, estimate: () => Promise<StorageNumbers | undefined> = storageEstimate): Promise<ModelLoadError | undefined> {
  const { missing } = await cacheBytes(entry, origin);
  if (missing === 0) return undefined;
  const numbers = await estimate();
  return numbers && spaceShortfall(`Downloading "${entry.name}"`, missing, numbers);
}

/** Whether the browser keeps this site's storage (true), may evict it under pressure (false), or cannot say. */
export async function persistence(ask: boolean): Promise<boolean | undefined> {
  if (typeof navigator === 'undefined' || !navigator.storage?.persisted) return undefined;
  try {
    if (await navigator.storage.persisted()) return true;
    return ask && navigator.storage.persist ? await navigator.storage.persist() : false;
  } catch {
    return undefined;
  }
}

export interface VerifyReport {
  checked: number;
  /** Files with neither size nor checksum in the manifest: nothing to check them against. */
  unchecked: number;
  /** Files that failed, already removed from the cache (the next load fetches them again). */
  damaged: string[];
}

/** Reads every cached file of the entry and checks it against the manifest; damaged files leave the cache. */
export async function verifyCachedModel(entry: ModelEntry, origin: string): Promise<VerifyReport> {
  const cached = await cachedSet();
  const reader = browserFetcher({ fetch: () => Promise.reject(new Error('verification reads the cache only')) });
  const report: VerifyReport = { checked: 0, unchecked: 0, damaged: [] };
  for (const f of entryFiles(entry, origin)) {
    if (!cached.has(f.url)) continue;
    if (f.bytes === undefined && !f.sha256) {
      report.unchecked++;
      continue;
    }
    let problem: string | undefined;
    try {
      problem = (await fetchChecked(reader, f.url, f)).problem;
    } catch {
      problem = 'is incomplete'; // a chunk went missing: the reader dropped the rest
    }
    report.checked++;
    if (problem) {
      report.damaged.push(`${f.url} ${problem}`);
      await reader.evict?.(f.url);
    }
  }
  return report;
}
