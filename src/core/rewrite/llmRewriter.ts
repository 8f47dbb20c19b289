/**
 * The LLM rewriter: asks the local model for u' (JSON mode, deterministic by default), reads the
 * reply strictly, checks u' with the concept guard, and on any problem retries with feedback
 * (the last reply plus what was wrong). After `maxAttempts` it throws a RewriteError that says
 * why; it never returns a caption that fails the guard.
 */
import type { ChatCompletion, ChatCompletionRequestNonStreaming } from '@mlc-ai/web-llm';
import { CancelledError, InvalidInputError } from '../errors.ts';
import { createGuard, describeHit, type ConceptGuard, type GuardOptions } from '../guard/guard.ts';
import type { Lexicon } from '../guard/lexicon.ts';
import { phraseKey } from '../guard/normalize.ts';
import { MAX_QUERY_LENGTH } from '../pipeline/inputChecks.ts';
import { RewriteError } from './errors.ts';
import { modelFamily, type ModelFamily } from './instructions.ts';
import { parseRewriteReply } from './parse.ts';
import { REWRITE_RESPONSE_FORMAT, buildRetryMessages, buildRewriteMessages, formatFeedback, imageFeedback, leakFeedback } from './prompt.ts';
import type { ChatEngine, RewriteAttempt, RewriteRequest, RewriteResult, Rewriter } from './types.ts';

export interface SamplingOptions {
  /** Reply length limit (default 160 tokens: a caption in JSON). */
  readonly maxTokens?: number;
  /** Integer seed (default 42). */
  readonly seed?: number;
  /** Default 0 (greedy; WebLLM clamps it to 1e-6). */
  readonly temperature?: number;
}

export interface LlmRewriterOptions extends SamplingOptions {
  readonly engine: ChatEngine;
  /** WebLLM model id, for the label and the family. */
  readonly modelId?: string;
  /** Default: from modelId. */
  readonly family?: ModelFamily;
  /** The guard's WordNet lexicon (null: concept, inflections and world words only). */
  readonly lexicon?: Lexicon | null;
  readonly guardOptions?: GuardOptions;
  /** Overrides how a guard is made for a concept list. */
  readonly guardFor?: (concepts: readonly string[]) => ConceptGuard;
  /** Model calls before giving up (default 3). */
  readonly maxAttempts?: number;
  /** Longest accepted caption in characters (default 300). */
  readonly maxCaptionLength?: number;
}


/** The request fields every rewrite call carries. */
export function rewriteRequestParams(options: SamplingOptions = {}): Omit<ChatCompletionRequestNonStreaming, 'messages'> {
  const seed = options.seed ?? 42;
  if (!Number.isInteger(seed)) throw new InvalidInputError('bad-seed', `The seed must be an integer, got ${seed}.`);
  return {
    stream: false,
    temperature: options.temperature ?? 0,
    seed,
    max_tokens: options.maxTokens ?? 160,
    response_format: REWRITE_RESPONSE_FORMAT,
  };
}

/** Checks a rewrite request; throws InvalidInputError with a specific code. */
export function validateRewriteRequest(request: RewriteRequest, needInstruction: boolean): void {
  if (request.query.trim().length === 0) throw new InvalidInputError('empty-query', 'The caption to rewrite is empty.');
  if (request.query.length > MAX_QUERY_LENGTH) {
    throw new InvalidInputError('query-too-long', `The caption has ${request.query.length} characters; the limit is ${MAX_QUERY_LENGTH}.`);
  }
  if (request.concepts.filter((c) => phraseKey(c).length > 0).length === 0) {
    throw new InvalidInputError('no-concepts', 'No banned concept was given: there is nothing to rewrite away.');
  }
  if (needInstruction && request.instruction.trim().length === 0) {
    throw new InvalidInputError('empty-instruction', 'The rewrite instruction is empty.');
  }
}

/** Caches guards per concept list (building one expands WordNet). */
export function guardCache(make: (concepts: readonly string[]) => ConceptGuard, size = 8): (concepts: readonly string[]) => ConceptGuard {
  const cache = new Map<string, ConceptGuard>();
  return (concepts) => {
    const key = JSON.stringify(concepts.map((c) => phraseKey(c)));
    let g = cache.get(key);
    if (!g) {
      g = make(concepts);
      cache.set(key, g);
      if (cache.size > size) cache.delete(cache.keys().next().value as string);
    }
    return g;
  };
}

export function createLlmRewriter(options: LlmRewriterOptions): Rewriter {
  const family = options.family ?? modelFamily(options.modelId);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const params = rewriteRequestParams(options);
  const guardFor = guardCache(options.guardFor ?? ((c) => createGuard(c, options.lexicon ?? null, options.guardOptions)));
  const label = options.modelId ? `Local LLM rewrite (${options.modelId})` : 'Local LLM rewrite';

  async function rewrite(request: RewriteRequest): Promise<RewriteResult> {
    validateRewriteRequest(request, true);
    const concepts = request.concepts.map((c) => c.trim()).filter((c) => c.length > 0);
    const guard = request.policy?.guard ?? guardFor(concepts);
    const inputHits = guard.check(request.query).hits;
    const first = buildRewriteMessages({ query: request.query, concepts, instruction: request.instruction, covers: request.policy?.covers() }, { family });
    // a regeneration after the judge saw the concept: the conversation goes on from the caption that failed
    const shown = request.shown;
    const base = shown ? buildRetryMessages(first, JSON.stringify({ rewritten: shown.rewritten }), imageFeedback(shown.rewritten, shown.seen)) : first;
    const trace: RewriteAttempt[] = [];
    const avoid: string[] = [];
    let messages = base;

    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (request.signal?.aborted) throw new CancelledError('The rewrite was cancelled.');
      let reply: ChatCompletion;
      try {
        reply = await options.engine.chatCompletion({ ...params, messages });
      } catch (e) {
        throw new RewriteError('llm-engine-failed', `The local language model failed while rewriting: ${(e as Error)?.message ?? String(e)}`, trace, {
          cause: e,
        });
      }
      const choice = reply.choices[0];
      const raw = choice?.message.content ?? '';
      const finishReason = choice?.finish_reason;
      const parsed = parseRewriteReply(raw, finishReason, options.maxCaptionLength);
      if (!parsed.ok) {
        trace.push({ attempt, raw, finishReason, problem: parsed.problem, message: parsed.message });
        messages = buildRetryMessages(base, raw, formatFeedback(parsed.message));
        continue;
      }
      if (shown && phraseKey(parsed.value) === phraseKey(shown.rewritten)) {
        const message = 'the caption is the one whose picture still showed the concept';
        trace.push({ attempt, raw, finishReason, rewritten: parsed.value, problem: 'repeated', message });
        messages = buildRetryMessages(base, raw, imageFeedback(shown.rewritten, shown.seen));
        continue;
      }
      const verdict = guard.check(parsed.value);
      if (!verdict.ok) {
        for (const h of verdict.hits) if (!avoid.includes(h.matched)) avoid.push(h.matched);
        const message = `the caption still carries a banned concept: ${verdict.hits.map(describeHit).join('; ')}`;
        trace.push({ attempt, raw, finishReason, rewritten: parsed.value, problem: 'leak', message, hits: verdict.hits });
        messages = buildRetryMessages(base, raw, leakFeedback(parsed.value, verdict.hits, concepts, avoid));
        continue;
      }
      trace.push({ attempt, raw, finishReason, rewritten: parsed.value });
      return {
        rewritten: parsed.value,
        attempts: attempt,
        source: 'llm',
        label,
        inputHits,
        trace,
        ...(options.modelId ? { modelId: options.modelId } : {}),
      };
    }
    throw failure(trace, concepts, maxAttempts);
  }

  return { kind: 'llm', label, rewrite };
}

function failure(trace: readonly RewriteAttempt[], concepts: readonly string[], maxAttempts: number): RewriteError {
  const last = trace[trace.length - 1];
  const names = concepts.map((c) => `"${c}"`).join(', ');
  const tail = 'Nothing was passed on to the image generator.';
  const lastLeak = [...trace].reverse().find((a) => a.problem === 'leak');
  if (lastLeak) {
    const what = (lastLeak.hits ?? []).map(describeHit).join('; ');
    const other = last !== lastLeak && last?.message ? ` (the final attempt failed otherwise: ${last.message})` : '';
    return new RewriteError(
      'rewrite-unsafe',
      `The rewriter could not remove the banned concept(s) ${names} in ${maxAttempts} attempt(s): attempt ${lastLeak.attempt} still contained ${what}${other}. ${tail}`,
      trace,
    );
  }
  return new RewriteError(
    'rewrite-invalid-output',
    `The language model gave no usable caption in ${maxAttempts} attempt(s): ${last?.message ?? 'no reply'}. ${tail}`,
    trace,
  );
}
