import { createStore, get, set, del, entries, keys, type UseStore } from 'idb-keyval';
import { CancelledError, ModelLoadError } from '../core/errors.ts';
import type { ModelCacheClaims } from './diffusionHost.ts';
import type { FileFetcher } from './fetcher.ts';

export const MODEL_CACHE_DB = 'ores-model-cache';

/** The IndexedDB store that keeps downloaded model files, so the app works offline afterwards. */
export function modelCacheStore(): UseStore {
  return createStore(MODEL_CACHE_DB, 'files');
}

/**
 * Fetches model files with byte progress and keeps them in IndexedDB, keyed by URL. A cached file
 * is used without touching the network; a failed or cut download is never cached.
 */
export function browserFetcher(store: UseStore = modelCacheStore(), fetchImpl: typeof fetch = fetch): FileFetcher {
  return {
    async fetchBytes(url, onProgress, signal) {
      const cached = await get<Uint8Array>(url, store).catch(() => undefined);
      if (cached) {
        onProgress?.(cached.byteLength, cached.byteLength);
        return cached;
      }
      let response: Response;
      try {
        response = await fetchImpl(url, { signal });
      } catch (e) {
        if (signal?.aborted) throw new CancelledError(`The download of ${url} was cancelled.`);
        throw new ModelLoadError('model-download-failed', `Could not download ${url}: ${(e as Error).message}. Check the connection and try again.`);
      }
      if (!response.ok) {
        throw new ModelLoadError(
          response.status === 404 ? 'model-file-missing' : 'model-download-failed',
          `Could not download ${url}: HTTP ${response.status}${response.status === 404 ? ' (file not found)' : ''}.`,
        );
      }
      // No model file is HTML: a page here is a sign-in portal, or a dev server or static host
      // answering a missing file with its index.html (status 200), JSON files included.
      if ((response.headers.get('content-type') ?? '').includes('text/html')) {
        throw new ModelLoadError('model-file-missing', `${url} returned a web page instead of the file: it is probably missing on the server, or the URL is wrong.`);
      }
      const bytes = await readWithProgress(response, url, onProgress, signal);
      await set(url, bytes, store).catch(() => undefined); // a full disk must not stop generation
      return bytes;
    },
    async evict(url) {
      await del(url, store).catch(() => undefined);
    },
  };
}

async function readWithProgress(
  response: Response,
  url: string,
  onProgress?: (loaded: number, total: number | undefined) => void,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const header = Number(response.headers.get('content-length'));
  const total = Number.isFinite(header) && header > 0 ? header : undefined;
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.byteLength;
      onProgress?.(loaded, total);
    }
  } catch (e) {
    if (signal?.aborted) throw new CancelledError(`The download of ${url} was cancelled after ${loaded} bytes.`);
    throw new ModelLoadError('model-download-failed', `The download of ${url} was cut after ${loaded} bytes: ${(e as Error).message}.`);
  }
  if (total !== undefined && loaded !== total) {
    throw new ModelLoadError('model-download-failed', `The download of ${url} was cut: ${loaded} of ${total} bytes arrived.`);
  }
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** Which loaded model used which cached files (model key -> URLs), so that deleting one keeps what others use. */
export function modelClaimsStore(): UseStore {
  return createStore('ores-model-claims', 'claims');
}

export function modelCacheClaims(files: UseStore = modelCacheStore(), claims: UseStore = modelClaimsStore()): ModelCacheClaims {
  return {
    claims: async () => Object.fromEntries(await entries<string, string[]>(claims)),
    claim: (key, urls) => set(key, urls, claims),
    unclaim: (key) => del(key, claims),
    delete: (urls) => deleteCachedUrls(urls, files),
  };
}

/** Removes these exact URLs from the cache (one model's files, wherever they live); returns how many were cached. */
export async function deleteCachedUrls(urls: readonly string[], store: UseStore = modelCacheStore()): Promise<number> {
  const wanted = new Set(urls);
  const cached = (await keys(store)).filter((k): k is string => typeof k === 'string' && wanted.has(k));
  await Promise.all(cached.map((u) => del(u, store)));
  return cached.length;
}
