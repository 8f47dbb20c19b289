// The app's browser fetcher in a real page: cold (network into IndexedDB) and warm (IndexedDB) loads of one file, with the SHA-256 check.
import { createStore, clear } from 'idb-keyval';
import { fileProblem } from '../src/core/fileCheck.ts';
import { browserFetcher } from '../src/engine/browserFetcher.ts';

async function run(url: string, expected: { bytes: number; sha256: string }) {
  const store = createStore('delivery-bench', 'files');
  await clear(store);
  const timed = async (fetchImpl?: typeof fetch) => {
    const t0 = performance.now();
    const bytes = await browserFetcher({ store, ...(fetchImpl ? { fetch: fetchImpl } : {}) }).fetchBytes(url);
    const readSeconds = (performance.now() - t0) / 1000;
    const problem = await fileProblem(bytes, expected);
    if (problem) throw new Error(`${url} ${problem}`);
    return { readSeconds, seconds: (performance.now() - t0) / 1000 };
  };
  const cold = await timed();
  const warm = await timed(() => Promise.reject(new Error('the warm load must not touch the network')));
  await clear(store);
  return { cold, warm, crossOriginIsolated };
}

Object.assign(window, { deliveryBench: { run } });
document.title = 'ready';
