/**
 * Types of stage 1 (the rewrite u -> u'). The LLM is reached through {@link ChatEngine}, the
 * narrow part of WebLLM's MLCEngineInterface we use, typed with WebLLM's own request/response
 * types (type-only import: nothing of WebLLM is loaded by the core).
 */
import type { ChatCompletion, ChatCompletionRequestNonStreaming, MLCEngineInterface } from '@mlc-ai/web-llm';
import type { GuardHit } from '../guard/guard.ts';
import type { CompiledPolicy } from '../policy/compile.ts';

/**
 * What the rewriter and instruction learning need from an engine: one non-streaming chat
 * completion. WebLLM's `MLCEngineInterface.chatCompletion` is overloaded (streaming and not);
 * this is its non-streaming overload, so any MLCEngine / WebWorkerMLCEngine is a ChatEngine
 * (checked below), and a test fake only has to implement one signature.
 */
export interface ChatEngine {
  chatCompletion(request: ChatCompletionRequestNonStreaming): Promise<ChatCompletion>;
}

// Compile-time check: WebLLM's engines satisfy ChatEngine.
export type EngineIsChatEngine = MLCEngineInterface extends ChatEngine ? true : never;
const engineIsChatEngine: EngineIsChatEngine = true;
void engineIsChatEngine;

export interface RewriteRequest {
  /** The user's caption u. */
  readonly query: string;
  /** The banned concepts. */
  readonly concepts: readonly string[];
  /** The (learned or default) instruction. Ignored by the offline fallback. */
  readonly instruction: string;
  /** The compiled policy of these concepts: its guard checks u', and the LLM is told what each concept covers. */
  readonly policy?: CompiledPolicy;
  /**
   * An earlier rewrite whose picture the judge still read as a banned concept (output
   * verification's regeneration): the LLM is told what was seen, and must write another caption.
   */
  readonly shown?: { readonly rewritten: string; readonly seen: string };
  readonly signal?: AbortSignal;
}

/** Why an attempt was rejected. */
export type AttemptProblem =
  | 'empty' // no content at all
  | 'invalid-json' // not JSON
  | 'extra-text' // JSON with text around it
  | 'truncated' // stopped by max_tokens before the JSON closed
  | 'missing-field' // JSON without a usable "rewritten" string
  | 'too-long' // a caption longer than the limit
  | 'leak' // the caption still carries a banned concept
  | 'repeated'; // the caption whose picture the judge still read as a banned concept

export interface RewriteAttempt {
  readonly attempt: number;
  /** The model's raw reply. */
  readonly raw: string;
  readonly finishReason?: string;
  /** The caption read from the reply (when it parsed). */
  readonly rewritten?: string;
  readonly problem?: AttemptProblem;
  /** Human-readable reason, also sent back to the model as feedback. */
  readonly message?: string;
  /** For 'leak': what the guard found. */
  readonly hits?: readonly GuardHit[];
}

export interface RewriteResult {
  /** u', guaranteed to pass the guard. */
  readonly rewritten: string;
  /** Model calls (1 for the fallback). */
  readonly attempts: number;
  readonly source: 'llm' | 'fallback';
  /** Shown wherever the result is used: names the model, or says clearly that this is the offline fallback. */
  readonly label: string;
  /** Where the banned concepts appear in u (for the educator view). */
  readonly inputHits: readonly GuardHit[];
  readonly trace: readonly RewriteAttempt[];
  readonly modelId?: string;
  /** Fallback only: what was replaced. */
  readonly replacements?: readonly Replacement[];
}

export interface Replacement {
  readonly start: number;
  readonly end: number;
  readonly from: string;
  /** '' when the words were dropped. */
  readonly to: string;
  readonly concept: string;
  readonly reason: 'world-value' | 'antonym' | 'sibling' | 'removed';
}

export interface Rewriter {
  readonly kind: 'llm' | 'fallback';
  readonly label: string;
  rewrite(request: RewriteRequest): Promise<RewriteResult>;
}
