import { describe, expect, test } from 'vitest';
import { loadCleaningUp, type LlmModelCache } from '../../src/engine/llm/cleanup.ts';

/** A WebLLM cache as a set of model ids; a load that fails half-way leaves its id behind, as a cut download leaves files. */
function fakeCache(initial: string[] = [], removeFails = false): LlmModelCache & { ids: Set<string>; removed: string[] } {
  const ids = new Set(initial);
  const removed: string[] = [];
  return {
    ids,
    removed,
    has: async (id) => ids.has(id),
    remove: async (id) => {
      if (removeFails) throw new Error('IndexedDB unavailable');
      removed.push(id);
      ids.delete(id);
    },
  };
}
const cutDownload = (cache: { ids: Set<string> }, id: string) => async () => {
  cache.ids.add(id); // part of the weights got stored
  throw new Error('Network error: the download was cut');
};

describe('a failed WebLLM download is cleaned up so the next attempt works', () => {
  test('a first download that fails leaves nothing behind; the error is the load error', async () => {
    const cache = fakeCache();
    await expect(loadCleaningUp('m', cache, cutDownload(cache, 'm'))).rejects.toThrow(/download was cut$/);
    expect(cache.removed).toEqual(['m']);
    expect(cache.ids.has('m')).toBe(false);
    // The next attempt starts clean and succeeds.
    await expect(loadCleaningUp('m', cache, async () => (cache.ids.add('m'), 'engine'))).resolves.toBe('engine');
    expect(cache.ids.has('m')).toBe(true);
  });

  test('a model cached before is not deleted when its load fails for another reason', async () => {
    const cache = fakeCache(['m']);
    await expect(loadCleaningUp('m', cache, async () => Promise.reject(new Error('GPU device lost')))).rejects.toThrow('GPU device lost');
    expect(cache.removed).toEqual([]);
  });

  test('a cleanup that fails is reported with the load error, not hidden', async () => {
    const cache = fakeCache([], true);
    await expect(loadCleaningUp('m', cache, cutDownload(cache, 'm'))).rejects.toThrow(/download was cut \(and its partial download could not be removed: IndexedDB unavailable; delete it under "Storage"\)/);
  });
});
