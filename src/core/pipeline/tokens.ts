/** A prompt as token ids, padded to the text encoder's length. */
export interface TokenizedPrompt {
  ids: Int32Array;
  /** Tokens counted before truncation, including start and end tokens. */
  tokenCount: number;
  /** True when the prompt was longer than the encoder's window and its tail was cut. */
  truncated: boolean;
}

export interface PromptTokenizer {
  readonly maxLength: number;
  tokenize(text: string): TokenizedPrompt;
}
