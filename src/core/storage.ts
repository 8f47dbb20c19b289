/**
 * The browser's storage budget in words: whether a download fits, and what a quota error means.
 * Numbers come from navigator.storage.estimate() (usage and quota of this origin).
 */
import { formatBytes } from './bytes.ts';
import { ModelLoadError } from './errors.ts';

export interface StorageNumbers {
  usage: number;
  quota: number;
}

/** Below this, a download is small enough not to ask the browser for persistent storage. */
export const LARGE_DOWNLOAD_BYTES = 100 * 1024 * 1024;

const WHAT_TO_DELETE = 'Delete a model you no longer need under "Storage" (cached image and language models, with their sizes), or free space in the browser\'s site settings.';

/** A clear refusal when `needed` more bytes will not fit, before anything is downloaded; undefined when they fit. */
export function spaceShortfall(what: string, needed: number, s: StorageNumbers): ModelLoadError | undefined {
  const free = Math.max(0, s.quota - s.usage);
  if (needed <= free) return undefined;
  return new ModelLoadError(
    'storage-full',
    `${what} needs ${formatBytes(needed)} of storage, but only ${formatBytes(free)} is free (${formatBytes(s.usage)} used of the ${formatBytes(s.quota)} this browser allows this site). Free at least ${formatBytes(needed - free)}. ${WHAT_TO_DELETE}`,
  );
}

/** The browser refused to store a file: the numbers, and what to delete. Files stored before stay. */
export function quotaExceeded(url: string, bytes: number, s: StorageNumbers | undefined): ModelLoadError {
  const numbers = s ? ` (${formatBytes(s.usage)} used of the ${formatBytes(s.quota)} this browser allows this site)` : '';
  return new ModelLoadError('storage-full', `The browser's storage is full: ${url} (${formatBytes(bytes)}) could not be kept${numbers}. Models cached before are untouched. ${WHAT_TO_DELETE}`);
}

/** Whether a storage error is the browser's quota (DOMException QuotaExceededError, or an IndexedDB abort for it). */
export function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === 'QuotaExceededError' || /quota/i.test((e as Error | null)?.message ?? '');
}
