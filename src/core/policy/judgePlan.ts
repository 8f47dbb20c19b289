/**
 * Which judge can check a compiled policy's concepts on a model: today the embedded world's judge,
 * for concepts that name world values. A concept the judge cannot see, or a model without a judge,
 * makes the images "not checked" (and a kiosk that requires verification refuses to start).
 */
import type { WorldConcept } from '../judge/worldJudge.ts';
import type { ModelEntry } from '../manifest.ts';
import type { CompiledPolicy } from './compile.ts';

export type JudgePlan = { readonly kind: 'world'; readonly concepts: readonly WorldConcept[] } | { readonly kind: 'none'; readonly reason: string };

export function judgePlan(policy: CompiledPolicy, entry: ModelEntry): JudgePlan {
  if (!entry.judge) return { kind: 'none', reason: `no judge for "${entry.name}"` };
  const unseen = policy.concepts.filter((c) => c.world === null);
  if (unseen.length > 0) {
    return { kind: 'none', reason: `the world judge of "${entry.name}" cannot see ${unseen.map((c) => `"${c.text}"`).join(', ')} (not a colour, shape, background, pattern, size or count of its world)` };
  }
  return { kind: 'world', concepts: policy.concepts.map((c) => ({ concept: c.text, attribute: c.world!.attribute, value: c.world!.name, index: c.world!.index })) };
}
