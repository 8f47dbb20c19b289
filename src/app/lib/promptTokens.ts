/**
 * Which words of a long prompt the model never reads. Text encoders read a fixed window (77
 * tokens for CLIP); the engine cuts the rest and reports it, and the page says which words.
 */
import type { PromptTokenizer } from '../../core/pipeline/tokens.ts';

export interface PromptCut {
  /** The words the model reads. */
  readonly kept: string;
  /** The words cut off after the window (empty when the prompt fits). */
  readonly cut: string;
  /** Tokens of the whole prompt, start and end tokens included. */
  readonly tokens: number;
  readonly maxTokens: number;
}

/** Splits `prompt` at the last word that still fits the tokenizer's window. */
export function promptCut(prompt: string, tokenizer: PromptTokenizer): PromptCut {
  const all = tokenizer.tokenize(prompt);
  const base = { tokens: all.tokenCount, maxTokens: tokenizer.maxLength };
  if (!all.truncated) return { kept: prompt, cut: '', ...base };
  // word boundaries: the end offsets of each word
  const ends = [...prompt.matchAll(/\S+/g)].map((m) => m.index + m[0].length);
  let lo = 0; // words known to fit
  let hi = ends.length; // words known not to fit
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (tokenizer.tokenize(prompt.slice(0, ends[mid - 1])).truncated) hi = mid;
    else lo = mid;
  }
  const at = lo === 0 ? 0 : ends[lo - 1]!;
  return { kept: prompt.slice(0, at).trim(), cut: prompt.slice(at).trim(), ...base };
}

/** Below this many characters no prompt reaches 77 tokens (every token is at least one character). */
export const MIN_CHARS_TO_CUT = 75;
