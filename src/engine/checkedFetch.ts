import { ModelLoadError } from '../core/errors.ts';
import type { ExpectedFile } from '../core/fileCheck.ts';
import { fetchChecked, type FileFetcher } from './fetcher.ts';

/**
 * Fetches a file (network or cache) and checks it against its size and SHA-256 before use. A copy
 * that fails leaves the cache and is fetched once more (a corrupt cached copy heals itself);
 * failing twice means the source is wrong: `model-file-corrupt` naming `what`.
 */
export async function fetchVerified(
  fetcher: FileFetcher,
  url: string,
  what: string,
  expected: ExpectedFile,
  o: { onProgress?: (loaded: number, total: number | undefined) => void; signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    const { bytes, problem } = await fetchChecked(fetcher, url, expected, o.onProgress, o.signal);
    if (!problem) return bytes;
    await fetcher.evict?.(url);
    if (attempt === 2 || !fetcher.evict) {
      const again = attempt === 2 ? ', fetched twice' : '';
      throw new ModelLoadError('model-file-corrupt', `${what} (${url}) ${problem}${again}. The download was cut or the file there is not the one the manifest names.`);
    }
  }
}
