/**
 * Reading the model's JSON replies. Strict on purpose: WebLLM's JSON mode should always give a
 * bare object, so anything else (empty, not JSON, text around the JSON, cut off by max_tokens,
 * wrong field) is rejected with a reason the retry loop sends back as feedback.
 */
import type { AttemptProblem } from './types.ts';

export type ParseOutcome =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly problem: Exclude<AttemptProblem, 'leak'>; readonly message: string };

export interface ParseOptions {
  /** Longest accepted value, in characters. */
  readonly maxLength?: number;
  /** Collapse line breaks and runs of spaces (captions: yes; instructions: no). */
  readonly singleLine?: boolean;
}

/** Reads `{"<field>": "<string>"}` from a reply. */
export function parseJsonField(raw: string | null | undefined, finishReason: string | undefined, field: string, options: ParseOptions = {}): ParseOutcome {
  const text = (raw ?? '').trim();
  const truncated = finishReason === 'length';
  if (text.length === 0) {
    return truncated
      ? { ok: false, problem: 'truncated', message: 'the reply stopped at the token limit before any JSON was written' }
      : { ok: false, problem: 'empty', message: 'the reply was empty' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (truncated) {
      return { ok: false, problem: 'truncated', message: 'the reply was cut off at the token limit before the JSON was complete' };
    }
    const open = text.indexOf('{');
    const close = text.lastIndexOf('}');
    if (open >= 0 && close > open) {
      try {
        JSON.parse(text.slice(open, close + 1));
        return { ok: false, problem: 'extra-text', message: 'the reply had text around the JSON object; write the JSON object only' };
      } catch {
        // fall through
      }
    }
    if (open >= 0 && close < open) {
      return { ok: false, problem: 'invalid-json', message: 'the JSON object is not closed' };
    }
    return { ok: false, problem: 'invalid-json', message: 'the reply was not valid JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, problem: 'invalid-json', message: `the reply was JSON but not an object with a "${field}" field` };
  }
  const v = (value as Record<string, unknown>)[field];
  if (typeof v !== 'string') {
    return { ok: false, problem: 'missing-field', message: `the JSON object has no "${field}" string` };
  }
  let s = v.trim();
  if (options.singleLine ?? true) s = s.replace(/\s+/g, ' ');
  s = s.replace(/^["'“”]+|["'“”]+$/g, '').trim();
  if (s.length === 0) return { ok: false, problem: 'missing-field', message: `"${field}" is empty` };
  const max = options.maxLength ?? 300;
  if (s.length > max) {
    return { ok: false, problem: 'too-long', message: `"${field}" has ${s.length} characters, more than the limit of ${max}; keep it short` };
  }
  return { ok: true, value: s };
}

/** Reads `{"rewritten": "..."}`: one line, at most `maxLength` characters (default 300). */
export function parseRewriteReply(raw: string | null | undefined, finishReason?: string, maxLength = 300): ParseOutcome {
  return parseJsonField(raw, finishReason, 'rewritten', { maxLength, singleLine: true });
}
