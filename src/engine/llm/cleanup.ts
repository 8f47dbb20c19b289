/** The part of WebLLM's cache a load needs: whether a model is in it, and removing one. */
export interface LlmModelCache {
  has(modelId: string): Promise<boolean>;
  remove(modelId: string): Promise<void>;
}

/**
 * Runs a WebLLM load. When it fails for a model that was not in the cache before, what the attempt
 * left (a partial download, a config without weights) is removed, so the next attempt starts clean
 * instead of tripping over it. A model that was cached before is left alone: its load failed for
 * another reason (GPU, memory) and its files are whole.
 */
export async function loadCleaningUp<T>(modelId: string, cache: LlmModelCache, load: () => Promise<T>): Promise<T> {
  const cachedBefore = await cache.has(modelId).catch(() => false);
  try {
    return await load();
  } catch (e) {
    if (!cachedBefore) {
      try {
        await cache.remove(modelId);
      } catch (cleanup) {
        const err = e instanceof Error ? e : new Error(String(e));
        err.message += ` (and its partial download could not be removed: ${(cleanup as Error).message}; delete it under "Storage")`;
        throw err;
      }
    }
    throw e;
  }
}
