// The model cache's chunked files in Chromium's own IndexedDB (Blob chunks, BYOB reads, WebCrypto
// piece digests), with chunks and pieces small enough for a fixture file; driven by chunk-cache.spec.ts.
import { createStore, clear, get, set } from 'idb-keyval';
import type { ExpectedFile } from '../../src/core/fileCheck.ts';
import { browserFetcher } from '../../src/engine/browserFetcher.ts';
import { fetchChecked } from '../../src/engine/fetcher.ts';

const store = createStore('chunk-cache-test', 'files');
const options = { store, chunkBytes: 32 * 1024, pieceBytes: 8 * 1024 };

/** Loads `url` from the network, then twice from the cache, the second time with one byte of chunk 1 flipped. */
async function cycle(url: string, expected: ExpectedFile) {
  await clear(store);
  let requests = 0;
  const counted: typeof fetch = (...a) => (requests++, fetch(...a));
  const cold = await fetchChecked(browserFetcher({ ...options, fetch: counted }), url, expected);
  const head = await get<{ chunks: number; verified?: { sha256: string } }>(url, store);
  const warm = await fetchChecked(browserFetcher({ ...options, fetch: counted }), url, expected);
  const chunk = await get<Blob>(`${url}#chunk1`, store);
  const bad = new Uint8Array(await chunk!.arrayBuffer());
  bad[100]! ^= 0xff;
  await set(`${url}#chunk1`, new Blob([bad]), store);
  const damaged = await fetchChecked(browserFetcher({ ...options, fetch: counted }), url, expected);
  return {
    chunks: head?.chunks,
    chunkIsBlob: chunk instanceof Blob,
    verifiedSha256: head?.verified?.sha256,
    requests,
    cold: cold.problem ?? 'ok',
    warm: warm.problem ?? 'ok',
    warmSameBytes: warm.bytes.byteLength === cold.bytes.byteLength && warm.bytes.every((b, i) => b === cold.bytes[i]),
    damaged: damaged.problem ?? 'ok',
  };
}

Object.assign(window, { chunkCache: { cycle } });
document.title = 'ready';
