/** Where model bytes come from: fetch + IndexedDB cache in the browser, the file system in Node tests. */
export interface FileFetcher {
  fetchBytes(url: string, onProgress?: (loaded: number, total: number | undefined) => void, signal?: AbortSignal): Promise<Uint8Array>;
  /** Drops a cached copy that turned out to be corrupt, so the next load downloads it again. */
  evict?(url: string): Promise<void>;
}
