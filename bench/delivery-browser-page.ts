// The app's browser fetcher in a real page, one step per call so that the driver
// (bench/delivery-browser.ts) can measure each step's memory: cold (network into IndexedDB) and
// warm (IndexedDB) loads of one file, checked as the loader checks it, the IndexedDB read alone
// (no check) and the network alone (the body read and dropped). No bytes are kept between steps.
import { createStore, clear } from 'idb-keyval';
import { browserFetcher } from '../src/engine/browserFetcher.ts';
import { fetchChecked } from '../src/engine/fetcher.ts';

export type Step = 'cold' | 'warm' | 'read' | 'network';
const store = createStore('delivery-bench', 'files');
const offline = () => Promise.reject(new Error('a cached load must not touch the network'));

async function run(step: Step, url: string, expected: { bytes: number; sha256: string }): Promise<number> {
  if (step === 'cold') await clear(store);
  const fetcher = browserFetcher({ store, ...(step === 'cold' ? {} : { fetch: offline }) });
  const t0 = performance.now();
  if (step === 'network') {
    const body = (await fetch(url)).body!.getReader();
    while (!(await body.read()).done);
  } else if (step === 'read') await fetcher.fetchBytes(url);
  else {
    const { problem } = await fetchChecked(fetcher, url, expected);
    if (problem) throw new Error(`${url} ${problem}`);
  }
  return (performance.now() - t0) / 1000;
}

Object.assign(window, { deliveryBench: { run, clear: () => clear(store) } });
document.title = 'ready';
