/**
 * Where the benchmark's rewrites u -> u' come from. TIN uses the learned instruction; its ablation
 * "w/o learnable instruction" uses a plain hand-written one. With an LLM rewriter the two differ;
 * the offline fallback rewriter ignores instructions, so with it the two are the same rewrite.
 */
import type { RewriteResult, Rewriter } from '../rewrite/types.ts';
import type { RewriteVariant } from './methods.ts';

/** The ablation's instruction: the task in one plain sentence, no rules, no examples. */
export const PLAIN_INSTRUCTION = 'Rewrite the caption so that the image does not show the banned concepts.';

export type RewriteProvider = (variant: RewriteVariant, query: string, concepts: readonly string[]) => Promise<RewriteResult>;

export interface RewriteProviderOptions {
  readonly rewriter: Rewriter;
  /** The learned instruction (an InstructionArtifact's `instruction`, or the family default). */
  readonly learnedInstruction: string;
  readonly plainInstruction?: string;
}

export function createRewriteProvider(o: RewriteProviderOptions): RewriteProvider {
  return (variant, query, concepts) =>
    o.rewriter.rewrite({ query, concepts, instruction: variant === 'learned' ? o.learnedInstruction : (o.plainInstruction ?? PLAIN_INSTRUCTION) });
}

/** Wraps a rewriter so every rewrite takes `ms` milliseconds (a stand-in for an LLM's latency). */
export function delayedRewriter(inner: Rewriter, ms: number): Rewriter {
  return {
    kind: inner.kind,
    label: `${inner.label}, delayed to ${ms} ms`,
    async rewrite(request) {
      const started = performance.now();
      const result = await inner.rewrite(request);
      const left = ms - (performance.now() - started);
      if (left > 0) await new Promise((r) => setTimeout(r, left));
      return result;
    },
  };
}
