import { fileProblem, type ExpectedFile } from '../core/fileCheck.ts';

export type OnBytes = (loaded: number, total: number | undefined) => void;

/** A file's bytes and, when they are not the expected file, why (a phrase to follow the file's name). */
export interface CheckedBytes {
  bytes: Uint8Array;
  problem?: string;
}

/** Where model bytes come from: fetch + IndexedDB cache in the browser, the file system in Node tests. */
export interface FileFetcher {
  fetchBytes(url: string, onProgress?: OnBytes, signal?: AbortSignal): Promise<Uint8Array>;
  /** fetchBytes and the check against `expected` together, for a fetcher that can check a cached copy faster than by hashing it whole. */
  fetchChecked?(url: string, expected: ExpectedFile, onProgress?: OnBytes, signal?: AbortSignal): Promise<CheckedBytes>;
  /** Drops a cached copy that turned out to be corrupt, so the next load downloads it again. */
  evict?(url: string): Promise<void>;
}

/** The file checked against `expected` (size and SHA-256): by the fetcher where it can, by fileProblem otherwise. */
export async function fetchChecked(f: FileFetcher, url: string, expected: ExpectedFile, onProgress?: OnBytes, signal?: AbortSignal): Promise<CheckedBytes> {
  if (f.fetchChecked) return f.fetchChecked(url, expected, onProgress, signal);
  const bytes = await f.fetchBytes(url, onProgress, signal);
  return { bytes, problem: await fileProblem(bytes, expected) };
}
