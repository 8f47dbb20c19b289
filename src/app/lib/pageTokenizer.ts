/**
 * The model's own prompt tokenizer in the page, read from the same files (and download cache)
 * as the worker, so the page can say which words of a long prompt the model never reads.
 * transformers.js is imported only when a prompt is long enough to need it.
 */
import { fileUrl, type ModelEntry, type ModelFileRole } from '../../core/manifest.ts';
import type { PromptTokenizer } from '../../core/pipeline/tokens.ts';
import { browserFetcher } from '../../engine/browserFetcher.ts';

export async function loadPageTokenizer(entry: ModelEntry, origin: string): Promise<PromptTokenizer> {
  const { createClipTokenizer } = await import('../../engine/clipTokenizer.ts');
  const fetcher = browserFetcher();
  const json = async (role: ModelFileRole): Promise<object> => JSON.parse(new TextDecoder().decode(await fetcher.fetchBytes(fileUrl(entry, entry.files[role].path, origin)))) as object;
  const [tokenizer, config] = await Promise.all([json('tokenizer'), json('tokenizerConfig')]);
  return createClipTokenizer(tokenizer, config, { padTokenId: entry.textEncoder.padTokenId });
}
