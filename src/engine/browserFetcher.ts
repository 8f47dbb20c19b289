import { createStore, get, set, del, entries, keys, type UseStore } from 'idb-keyval';
import { CancelledError, ModelLoadError } from '../core/errors.ts';
import { fileProblem, SHA256_MISMATCH } from '../core/fileCheck.ts';
import { isQuotaError, quotaExceeded, type StorageNumbers } from '../core/storage.ts';
import { chunkKey, isHead, partialKey, readChunks, storedBytes, storedChunk, type ChunkedHead, type PartialRecord } from './chunkStore.ts';
import type { ModelCacheClaims } from './diffusionHost.ts';
import type { FileFetcher } from './fetcher.ts';
import { PIECE_BYTES, pieceDigests } from './pieceDigests.ts';

export const MODEL_CACHE_DB = 'ores-model-cache';

/** The IndexedDB store that keeps downloaded model files, so the app works offline afterwards. */
export function modelCacheStore(): UseStore {
  return createStore(MODEL_CACHE_DB, 'files');
}

export const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;

export interface BrowserFetcherOptions {
  store?: UseStore;
  fetch?: typeof fetch;
  /** Files larger than this are stored (and resumed) in chunks of this size. */
  chunkBytes?: number;
  /** The size of the pieces whose digests check a cached chunked file (pieceDigests.ts). */
  pieceBytes?: number;
  /** Usage and quota for the message of a quota error (navigator.storage.estimate by default). */
  estimate?: () => Promise<StorageNumbers | undefined>;
}

export async function storageEstimate(): Promise<StorageNumbers | undefined> {
  if (typeof navigator === 'undefined' || !navigator.storage?.estimate) return undefined;
  const e = await navigator.storage.estimate().catch(() => undefined);
  return e ? { usage: e.usage ?? 0, quota: e.quota ?? 0 } : undefined;
}

/**
 * Fetches model files with byte progress and keeps them in IndexedDB, keyed by URL. A cached file
 * is used without touching the network. Large files travel in HTTP Range requests and are stored
 * chunk by chunk: an interrupted download resumes from its last stored chunk (a server without
 * Range support sends the whole file again, and the stored chunks are dropped first). A failed
 * store (the browser's quota) is an error with the numbers, never ignored.
 */
export function browserFetcher(o: BrowserFetcherOptions = {}): FileFetcher {
  const store = o.store ?? modelCacheStore();
  const fetchImpl = o.fetch ?? fetch;
  const chunkBytes = o.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const pieceBytes = o.pieceBytes ?? PIECE_BYTES;
  const estimate = o.estimate ?? storageEstimate;

  const put = async (key: string, value: unknown, url: string, bytes: number): Promise<void> => {
    try {
      await set(key, value, store);
    } catch (e) {
      if (isQuotaError(e)) throw quotaExceeded(url, bytes, await estimate());
      throw new ModelLoadError('storage-failed', `${url} could not be stored in the browser (IndexedDB): ${(e as Error).message}.`);
    }
  };

  /** The cached file, whole; undefined when absent or when a chunk is missing (the rest is then dropped). */
  const read = async (url: string): Promise<Uint8Array | undefined> => {
    const v = await get<unknown>(url, store).catch(() => undefined);
    if (v instanceof Uint8Array) return v;
    if (!isHead(v)) return undefined;
    const r = await readChunks(store, url, v);
    if (!r) await deleteCachedUrls([url], store);
    return r?.bytes;
  };

  const download = async (url: string, onProgress?: (loaded: number, total: number | undefined) => void, signal?: AbortSignal): Promise<Uint8Array> => {
    const partial = await get<PartialRecord>(partialKey(url), store).catch(() => undefined);
    const resumeAt = (partial?.chunks ?? 0) * chunkBytes;
    const headers: Record<string, string> = resumeAt > 0 ? { Range: `bytes=${resumeAt}-`, ...(partial?.validator ? { 'If-Range': partial.validator } : {}) } : {};
    let response: Response;
    try {
      response = await fetchImpl(url, { signal, headers });
    } catch (e) {
      if (signal?.aborted) throw new CancelledError(`The download of ${url} was cancelled.`);
      throw new ModelLoadError('model-download-failed', `Could not download ${url}: ${(e as Error).message}. Check the connection and try again.`);
    }
    if (response.status === 416 && resumeAt > 0) {
      // The stored chunks do not fit the file the server has now: start again from the beginning.
      await deleteCachedUrls([url], store);
      return download(url, onProgress, signal);
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
    const range = response.status === 206 ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '') : null;
    if (response.status === 206 && (!range || Number(range[1]) !== resumeAt)) {
      await deleteCachedUrls([url], store);
      throw new ModelLoadError('model-download-failed', `Could not resume ${url}: the server answered with another byte range (${response.headers.get('content-range')}). The next attempt starts over.`);
    }
    let from = resumeAt;
    if (resumeAt > 0 && response.status !== 206) {
      await deleteCachedUrls([url], store); // no Range support, or the file changed: the whole file is coming
      from = 0;
    }
    const length = Number(response.headers.get('content-length'));
    const total = range ? (range[2] === '*' ? undefined : Number(range[2])) : Number.isFinite(length) && length > 0 ? length : undefined;
    const validator = response.headers.get('etag') ?? response.headers.get('last-modified') ?? undefined;

    if (from === 0 && total !== undefined && total <= chunkBytes) {
      const bytes = await readWhole(response, url, total, onProgress, signal);
      await put(url, bytes, url, bytes.byteLength);
      return bytes;
    }
    return readChunked(response, url, { from, total, validator }, onProgress, signal);
  };

  /** Streams a large file into chunks, storing each as it fills; returns the whole file (earlier chunks included). */
  const readChunked = async (
    response: Response,
    url: string,
    r: { from: number; total: number | undefined; validator?: string },
    onProgress?: (loaded: number, total: number | undefined) => void,
    signal?: AbortSignal,
  ): Promise<Uint8Array> => {
    // With the size known, one buffer of the file's size plus one chunk: the peak while loading.
    const out = r.total !== undefined ? new Uint8Array(r.total) : undefined;
    const parts: Uint8Array[] = [];
    let index = r.from / chunkBytes;
    for (let i = 0; i < index; i++) {
      const c = await storedBytes(await get<unknown>(chunkKey(url, i), store).catch(() => undefined));
      if (!c || c.byteLength !== chunkBytes || (out && (i + 1) * chunkBytes > out.byteLength)) {
        await deleteCachedUrls([url], store);
        throw new ModelLoadError('model-download-failed', `The stored part of ${url} is incomplete; the next attempt downloads it from the start.`);
      }
      if (out) out.set(c, i * chunkBytes);
      else parts.push(c);
    }
    let loaded = r.from;
    let chunk = new Uint8Array(chunkBytes);
    let fill = 0;
    const flush = async (): Promise<void> => {
      const c = fill === chunkBytes ? chunk : chunk.slice(0, fill);
      await put(chunkKey(url, index), storedChunk(c), url, r.total ?? loaded);
      if (out) out.set(c, index * chunkBytes);
      else parts.push(c);
      index++;
      await put(partialKey(url), { chunks: index, validator: r.validator } satisfies PartialRecord, url, r.total ?? loaded);
      chunk = new Uint8Array(chunkBytes);
      fill = 0;
    };
    if (!response.body) throw new ModelLoadError('model-download-failed', `The download of ${url} has no body.`);
    const reader = response.body.getReader();
    try {
      for (;;) {
        let step: ReadableStreamReadResult<Uint8Array>;
        try {
          step = await reader.read();
        } catch (e) {
          if (signal?.aborted) throw new CancelledError(`The download of ${url} was cancelled after ${loaded} bytes.`);
          throw new ModelLoadError('model-download-failed', `The download of ${url} was cut after ${loaded} bytes: ${(e as Error).message}. The next attempt resumes from byte ${index * chunkBytes}.`);
        }
        if (step.done) break;
        let v = step.value;
        if (out && loaded + v.byteLength > out.byteLength) throw new ModelLoadError('model-download-failed', `The server sent more than the ${out.byteLength} bytes it announced for ${url}.`);
        while (v.byteLength) {
          const n = Math.min(v.byteLength, chunkBytes - fill);
          chunk.set(v.subarray(0, n), fill);
          fill += n;
          loaded += n;
          v = v.subarray(n);
          if (fill === chunkBytes) await flush();
        }
        onProgress?.(loaded, r.total);
      }
    } finally {
      reader.releaseLock();
    }
    if (r.total !== undefined && loaded !== r.total) {
      throw new ModelLoadError('model-download-failed', `The download of ${url} was cut: ${loaded} of ${r.total} bytes arrived. The next attempt resumes from byte ${index * chunkBytes}.`);
    }
    if (fill > 0) await flush();
    await put(url, { chunked: true, bytes: loaded, chunks: index } satisfies ChunkedHead, url, loaded);
    await del(partialKey(url), store);
    if (out) return out;
    const whole = new Uint8Array(loaded);
    parts.reduce((at, c) => (whole.set(c, at), at + c.byteLength), 0);
    return whole;
  };

  const fetchBytes = async (url: string, onProgress?: (loaded: number, total: number | undefined) => void, signal?: AbortSignal): Promise<Uint8Array> => {
    const cached = await read(url);
    if (cached) {
      onProgress?.(cached.byteLength, cached.byteLength);
      return cached;
    }
    return download(url, onProgress, signal);
  };

  return {
    fetchBytes,
    /**
     * A chunked file whose whole SHA-256 matched before is read with each of its pieces checked as it
     * comes in, every piece before the bytes are returned; any other file is fetched and hashed whole,
     * and a chunked one that matches keeps its piece digests for the next load.
     */
    async fetchChecked(url, expected, onProgress, signal) {
      const head = await get<unknown>(url, store).catch(() => undefined);
      const verified = isHead(head) && expected.sha256 && head.verified?.sha256 === expected.sha256 ? head.verified : undefined;
      const fast = verified && (await readChunks(store, url, head as ChunkedHead, verified));
      if (fast) {
        onProgress?.(fast.bytes.byteLength, fast.bytes.byteLength);
        return { bytes: fast.bytes, problem: fast.intact ? await fileProblem(fast.bytes, { bytes: expected.bytes }) : SHA256_MISMATCH };
      }
      const bytes = await fetchBytes(url, onProgress, signal);
      const problem = await fileProblem(bytes, expected);
      const stored = await get<unknown>(url, store).catch(() => undefined);
      if (!problem && expected.sha256 && isHead(stored) && stored.bytes === bytes.byteLength) {
        const pieces = await pieceDigests(bytes, pieceBytes);
        await put(url, { ...stored, verified: { sha256: expected.sha256, pieceBytes, pieces } } satisfies ChunkedHead, url, bytes.byteLength);
      }
      return { bytes, problem };
    },
    async evict(url) {
      await deleteCachedUrls([url], store);
    },
  };
}

async function readWhole(
  response: Response,
  url: string,
  total: number,
  onProgress?: (loaded: number, total: number | undefined) => void,
  signal?: AbortSignal,
): Promise<Uint8Array> {
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
  if (loaded !== total) {
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

/** The URLs of every file kept whole or complete in chunks (not the chunks and partial records themselves). */
export async function cachedUrls(store: UseStore = modelCacheStore()): Promise<string[]> {
  return (await keys(store)).filter((k): k is string => typeof k === 'string' && !/#(chunk\d+|partial)$/.test(k));
}

/** Removes these files from the cache, chunks and partial downloads included; returns how many were stored (complete or partial). */
export async function deleteCachedUrls(urls: readonly string[], store: UseStore = modelCacheStore()): Promise<number> {
  const wanted = new Set(urls);
  const all = (await keys(store)).filter((k): k is string => typeof k === 'string');
  const owner = (k: string) => k.replace(/#(chunk\d+|partial)$/, '');
  const doomed = all.filter((k) => wanted.has(owner(k)));
  await Promise.all(doomed.map((k) => del(k, store)));
  return new Set(doomed.map(owner)).size;
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
