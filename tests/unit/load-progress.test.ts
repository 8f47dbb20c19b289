// Load progress moves with the bytes read, also for a model whose manifest entry gives no sizes
// (the embedded model): the totals then come from what the server announces.
import * as ort from 'onnxruntime-web';
import { expect, test } from 'vitest';
import { findModel, type ModelEntry } from '../../src/core/manifest.ts';
import type { Progress } from '../../src/core/pipeline/progress.ts';
import type { FileFetcher } from '../../src/engine/fetcher.ts';
import { loadModel } from '../../src/engine/loadModel.ts';
import { fsFetcher } from '../../src/node/fsFetcher.ts';
import { fixtureManifest, fixtureModels, publicDir } from './helpers/engine.ts';

/** Reads from disk and reports each file in two halves, with its size, as a server with Content-Length would. */
function announcingFetcher(): FileFetcher {
  const inner = fsFetcher(fixtureModels);
  return {
    async fetchBytes(url, onProgress, signal) {
      const bytes = await inner.fetchBytes(url, undefined, signal);
      onProgress?.(Math.floor(bytes.byteLength / 2), bytes.byteLength);
      await new Promise((r) => setTimeout(r, 1));
      onProgress?.(bytes.byteLength, bytes.byteLength);
      return bytes;
    },
  };
}

test('without sizes in the manifest, percent rises with the bytes read, never goes back, and the sessions opening are reported', async () => {
  const withSizes = findModel(fixtureManifest, 'tiny-sd');
  const files = Object.fromEntries(Object.entries(withSizes.files).map(([role, f]) => [role, { path: f.path }])) as unknown as ModelEntry['files'];
  const entry: ModelEntry = { ...withSizes, files };
  const progress: Progress[] = [];
  const model = await loadModel(ort, entry, { provider: 'wasm', fetcher: announcingFetcher(), graphsBaseUrl: publicDir + 'graphs/', onProgress: (p) => progress.push(p) });
  await model.release();

  const bytes = progress.filter((p) => !p.message);
  expect(bytes.length).toBeGreaterThan(4);
  expect(bytes.some((p) => p.percent > 0 && p.percent < 100)).toBe(true);
  for (let i = 1; i < progress.length; i++) expect(progress[i]!.percent).toBeGreaterThanOrEqual(progress[i - 1]!.percent);
  const last = bytes.at(-1)!;
  expect(last.percent).toBe(100);
  expect(last.bytesLoaded).toBe(last.bytesTotal);
  expect(progress.filter((p) => p.message).map((p) => p.message)).toEqual([1, 2, 3, 4, 5, 6].map((k) => `opening the model: part ${k} of 6`));
});
