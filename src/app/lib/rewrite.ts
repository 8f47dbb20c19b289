/**
 * Stage 1 in the page: picks the rewriter (the local LLM when one is loaded, otherwise the
 * offline fallback, labelled as such) and loads the guard's WordNet lexicon once, lazily.
 */
import { asOresError } from '../../core/errors.ts';
import type { ExpectedFile } from '../../core/fileCheck.ts';
import { loadLexicon, type Lexicon } from '../../core/guard/lexicon.ts';
import { compilePolicy, type CompiledPolicy } from '../../core/policy/compile.ts';
import { createFallbackRewriter } from '../../core/rewrite/fallbackRewriter.ts';
import { defaultInstruction } from '../../core/rewrite/instructions.ts';
import { createLlmRewriter } from '../../core/rewrite/llmRewriter.ts';
import type { ChatEngine, RewriteRequest, RewriteResult, Rewriter } from '../../core/rewrite/types.ts';

export interface LlmHandle {
  readonly engine: ChatEngine;
  readonly modelId: string;
}

export interface RewriteCall {
  readonly query: string;
  readonly concepts: readonly string[];
  /** The loaded local LLM, if any (null: the offline fallback). */
  readonly llm: LlmHandle | null;
  /** A learned instruction; default: the model family's. */
  readonly instruction?: string;
  /** The compiled policy of `concepts`. */
  readonly policy?: CompiledPolicy;
  /** A regeneration's rewrite: the caption whose picture the judge still read as a banned concept (LLM only). */
  readonly shown?: RewriteRequest['shown'];
  readonly signal?: AbortSignal;
}

/** The rewrite's result, plus a note when the LLM failed and the fallback stood in. */
export interface RewriteOutcome extends RewriteResult {
  readonly note?: string;
}

export class RewriteService {
  private lexiconPromise: Promise<Lexicon | null> | undefined;
  private fallbackRewriter: Rewriter | undefined;
  private llmRewriters = new WeakMap<ChatEngine, Rewriter>();
  /** Set when the lexicon could not be loaded (the guard then knows the concepts and world words only): shown as an error; a kiosk refuses to generate. */
  lexiconProblem: string | undefined;
  private compiled = new Map<string, CompiledPolicy>();

  constructor(
    private readonly lexiconUrl: string,
    /** The lexicon's size and SHA-256 (the app manifest's assets): a damaged copy is refused. */
    private readonly expected?: ExpectedFile,
  ) {}

  lexicon(): Promise<Lexicon | null> {
    return (this.lexiconPromise ??= loadLexicon(this.lexiconUrl, fetch, this.expected).catch((e: Error) => {
      this.lexiconProblem = `The WordNet lexicon could not be loaded (${e.message}); the guard knows only the concepts, their forms and the model's world words.`;
      return null;
    }));
  }

  /** The compiled policy of a concept list (cached): what the guard, the rewriters, the judge and the UI read. */
  async policy(concepts: readonly string[]): Promise<CompiledPolicy> {
    const lexicon = await this.lexicon();
    const key = JSON.stringify([lexicon !== null, ...concepts]);
    let p = this.compiled.get(key);
    if (!p) {
      p = compilePolicy(concepts, { lexicon });
      this.compiled.set(key, p);
      if (this.compiled.size > 8) this.compiled.delete(this.compiled.keys().next().value as string);
    }
    return p;
  }

  private async fallback(): Promise<Rewriter> {
    const lexicon = await this.lexicon();
    return (this.fallbackRewriter ??= createFallbackRewriter({ lexicon }));
  }

  private async llmRewriter(llm: LlmHandle): Promise<Rewriter> {
    const lexicon = await this.lexicon();
    let r = this.llmRewriters.get(llm.engine);
    if (!r || !r.label.includes(llm.modelId)) {
      r = createLlmRewriter({ engine: llm.engine, modelId: llm.modelId, lexicon });
      this.llmRewriters.set(llm.engine, r);
    }
    return r;
  }

  /**
   * u -> u'. With an LLM, a failed rewrite falls back to the offline rewriter, and says so. Whatever
   * a rewriter throws reaches the page as an OresError: an unexpected one as 'rewrite-failed'.
   */
  async rewrite(call: RewriteCall): Promise<RewriteOutcome> {
    const offline = async () => (await this.fallback()).rewrite({ query: call.query, concepts: call.concepts, instruction: '', policy: call.policy, signal: call.signal });
    try {
      if (!call.llm) return await offline();
      const rewriter = await this.llmRewriter(call.llm);
      try {
        return await rewriter.rewrite({
          query: call.query,
          concepts: call.concepts,
          instruction: call.instruction ?? defaultInstruction(call.llm.modelId),
          policy: call.policy,
          ...(call.shown ? { shown: call.shown } : {}),
          signal: call.signal,
        });
      } catch (e) {
        const error = asOresError(e, 'rewrite-failed');
        if (error.code === 'cancelled' || error.code === 'empty-query' || error.code === 'query-too-long') throw error;
        return { ...(await offline()), note: `The language model's rewrite failed (${error.message}); the offline fallback was used instead.` };
      }
    } catch (e) {
      throw asOresError(e, 'rewrite-failed', 'The rewrite failed: ');
    }
  }
}
