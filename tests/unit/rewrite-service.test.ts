// The page's rewrites (src/app/lib/rewrite.ts): whatever a rewriter throws reaches the page as an
// OresError with a code, never as a bare Error.
import { describe, expect, it } from 'vitest';
import { RewriteService } from '../../src/app/lib/rewrite.ts';
import type { ChatEngine, Rewriter } from '../../src/core/rewrite/types.ts';

const crashing = (label: string): Rewriter => ({
  label,
  rewrite: () => {
    throw new TypeError("Cannot read properties of undefined (reading 'content')");
  },
}) as unknown as Rewriter;

/** A service whose rewriters are the given ones; the lexicon URL is unreachable, so the guard runs without it. */
function service(o: { fallback?: Rewriter; llm?: { engine: ChatEngine; rewriter: Rewriter } }): RewriteService {
  const s = new RewriteService('http://127.0.0.1:9/lexicon.json');
  const inner = s as unknown as { fallbackRewriter?: Rewriter; llmRewriters: WeakMap<ChatEngine, Rewriter> };
  if (o.fallback) inner.fallbackRewriter = o.fallback;
  if (o.llm) inner.llmRewriters.set(o.llm.engine, o.llm.rewriter);
  return s;
}

describe('a rewriter that throws a plain error', () => {
  it('the offline fallback: rewrite-failed, with what went wrong', async () => {
    const s = service({ fallback: crashing('offline') });
    await expect(s.rewrite({ query: 'a red circle', concepts: ['red'], llm: null })).rejects.toMatchObject({
      name: 'OresError',
      code: 'rewrite-failed',
      message: expect.stringMatching(/^The rewrite failed: Cannot read properties/),
    });
  });

  it('the LLM: the offline fallback stands in and the note says why', async () => {
    const engine = {} as ChatEngine;
    const s = service({ llm: { engine, rewriter: crashing('LLM fake-model') } });
    const out = await s.rewrite({ query: 'a red circle', concepts: ['red'], llm: { engine, modelId: 'fake-model' } });
    expect(out.note).toMatch(/language model's rewrite failed \(Cannot read properties/);
    expect(out.rewritten).not.toMatch(/\bred\b/);
  });

  it('the LLM and then the fallback: rewrite-failed', async () => {
    const engine = {} as ChatEngine;
    const s = service({ fallback: crashing('offline'), llm: { engine, rewriter: crashing('LLM fake-model') } });
    await expect(s.rewrite({ query: 'a red circle', concepts: ['red'], llm: { engine, modelId: 'fake-model' } })).rejects.toMatchObject({ code: 'rewrite-failed' });
  });
});

describe("a regeneration's rewrite", () => {
  it('hands the LLM the caption whose picture failed and what the judge saw', async () => {
    const engine = {} as ChatEngine;
    const seen: unknown[] = [];
    const llm = { label: 'LLM fake-model', rewrite: async (r: { shown?: unknown }) => (seen.push(r.shown), { rewritten: 'a blue square', source: 'llm', label: 'LLM fake-model', attempts: 1, trace: [], inputHits: [] }) } as unknown as Rewriter;
    const s = service({ llm: { engine, rewriter: llm } });
    const shown = { rewritten: 'a blue disk', seen: '"circle" (shape: judged circle (p=0.97))' };
    const out = await s.rewrite({ query: 'a blue disk', concepts: ['circle'], llm: { engine, modelId: 'fake-model' }, shown });
    expect(out.rewritten).toBe('a blue square');
    expect(seen).toEqual([shown]);
  });
});
