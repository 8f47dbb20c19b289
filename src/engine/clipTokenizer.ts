import { CLIPTokenizer } from '@huggingface/transformers';
import { ModelLoadError } from '../core/errors.ts';
import type { PromptTokenizer, TokenizedPrompt } from '../core/pipeline/tokens.ts';

/** transformers.js' own complaint, under the code the page shows with the model. */
function openTokenizer(tokenizerJson: object, tokenizerConfig: object): CLIPTokenizer {
  const vocab = (tokenizerJson as { model?: { vocab?: unknown } }).model?.vocab;
  if (typeof vocab !== 'object' || vocab === null || Object.keys(vocab).length === 0) {
    throw new ModelLoadError('tokenizer-invalid', 'The tokenizer.json has no vocabulary (model.vocab): it is not the model\'s tokenizer, or it was cut short.');
  }
  try {
    return new CLIPTokenizer(tokenizerJson, tokenizerConfig);
  } catch (e) {
    throw new ModelLoadError('tokenizer-invalid', `The tokenizer.json could not be read as a CLIP tokenizer: ${(e as Error).message}.`);
  }
}

/**
 * A Stable Diffusion prompt tokenizer from the model's own tokenizer.json, through
 * transformers.js' CLIPTokenizer (no network). Pads to the window with the model's pad token
 * (SD 1.x pads with <|endoftext|>, SD 2.x with "!") and reports truncation instead of hiding it.
 */
export function createClipTokenizer(
  tokenizerJson: object,
  tokenizerConfig: object,
  opts: { maxLength?: number; padTokenId?: number } = {},
): PromptTokenizer {
  const tok = openTokenizer(tokenizerJson, tokenizerConfig);
  const maxLength = opts.maxLength ?? 77;
  const eos = tok.eos_token_id ?? tok.pad_token_id;
  const pad = opts.padTokenId ?? tok.pad_token_id ?? eos;
  if (eos === undefined || pad === undefined) throw new ModelLoadError('tokenizer-invalid', 'The tokenizer defines no end-of-text or pad token.');
  return {
    maxLength,
    tokenize(text: string): TokenizedPrompt {
      const all = tok.encode(text); // with start and end tokens
      const truncated = all.length > maxLength;
      const kept = truncated ? [...all.slice(0, maxLength - 1), eos] : all;
      const ids = new Int32Array(maxLength).fill(pad);
      ids.set(kept);
      return { ids, tokenCount: all.length, truncated };
    },
  };
}
