import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ModelLoadError } from '../core/errors.ts';
import type { FileFetcher } from '../engine/fetcher.ts';

/** Node-side fetcher: relative URLs are files under `root` (the app's public/ folder); absolute paths are used as they are. */
export function fsFetcher(root: string): FileFetcher {
  return {
    async fetchBytes(url, onProgress) {
      const path = resolve(root, url);
      try {
        const bytes = new Uint8Array(await readFile(path));
        onProgress?.(bytes.byteLength, bytes.byteLength);
        return bytes;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new ModelLoadError('model-file-missing', `Model file ${url} could not be read (${code ?? (e as Error).message}).`);
      }
    },
  };
}
