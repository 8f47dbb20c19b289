/**
 * Which judge can check a compiled policy's concepts on a model. The embedded world's judge sees
 * only concepts that name world values; a CLIP judge reads any concept, by comparing captions with
 * it against captions with something else in its place (src/core/judge/clipJudge.ts). A concept
 * the judge cannot see, or a model without a judge, makes the images "not checked" (and a kiosk
 * that requires verification refuses to start).
 */
import { clipPromptSet, type ClipPromptSet } from '../judge/clipJudge.ts';
import type { WorldConcept } from '../judge/worldJudge.ts';
import type { Lexicon } from '../guard/lexicon.ts';
import type { ModelEntry } from '../manifest.ts';
import type { CompiledPolicy } from './compile.ts';

export type JudgePlan =
  | { readonly kind: 'world'; readonly concepts: readonly WorldConcept[] }
  /** `judge` names it in every verdict; `sets` are the captions compared for each concept. */
  | { readonly kind: 'clip'; readonly judge: string; readonly sets: readonly ClipPromptSet[] }
  | { readonly kind: 'none'; readonly reason: string };

/** What the worker's judge needs: a plan that checks something. */
export type JudgeCheck = Exclude<JudgePlan, { kind: 'none' }>;

export interface JudgePlanOptions {
  /** The guard's WordNet lexicon: CLIP's alternatives include the concept's antonyms and siblings. */
  readonly lexicon?: Lexicon | null;
}

/** How a CLIP judge is named in verdicts and result cards. */
export const clipJudgeId = (name: string): string => `CLIP zero-shot judge (${name})`;

export function judgePlan(policy: CompiledPolicy, entry: ModelEntry, o: JudgePlanOptions = {}): JudgePlan {
  if (!entry.judge) return { kind: 'none', reason: `no judge for "${entry.name}"` };
  if (entry.judge.kind === 'clip') {
    const judge = clipJudgeId(entry.judge.name);
    // A concept so wide that no caption without it remains throws no-judge-alternatives: nothing is made.
    const sets = policy.concepts.map((c) => clipPromptSet(c.text, { lexicon: o.lexicon ?? null }));
    return { kind: 'clip', judge, sets };
  }
  const unseen = policy.concepts.filter((c) => c.world === null);
  if (unseen.length > 0) {
    return { kind: 'none', reason: `the world judge of "${entry.name}" cannot see ${unseen.map((c) => `"${c.text}"`).join(', ')} (not a colour, shape, background, pattern, size or count of its world)` };
  }
  return { kind: 'world', concepts: policy.concepts.map((c) => ({ concept: c.text, attribute: c.world!.attribute, value: c.world!.name, index: c.world!.index })) };
}
