/**
 * What a banned concept is to the picture, which decides TIN's switch step for it:
 * - layout: fixed in the first denoising steps (a background, a count, a size, an outline; for
 *   real models a setting or a whole scene). Denoising the first S steps on u would already draw
 *   it, so these switch early.
 * - appearance: painted late (a colour, a pattern, a material, a texture): the model's default S
 *   keeps the user's layout and still removes it.
 * - object: anything else (a dog, a bottle): the model's default S.
 */
import type { Lexicon } from '../guard/lexicon.ts';
import { baseForms } from '../guard/inflect.ts';
import { phraseKey } from '../guard/normalize.ts';
import type { Attribute, WorldValue } from '../world/vocabulary.ts';

export type ConceptKind = 'layout' | 'appearance' | 'object';

const WORLD_KIND: Readonly<Record<Attribute, ConceptKind>> = {
  background: 'layout',
  count: 'layout',
  size: 'layout',
  shape: 'layout',
  colour: 'appearance',
  pattern: 'appearance',
};

/** WordNet ancestors that make a concept a setting or scene (layout) or a surface property (appearance). */
const LAYOUT_ANCESTORS = ['location', 'geographical area', 'geological formation', 'landscape', 'scene', 'setting', 'vegetation', 'biome', 'time of day', 'time period', 'body of water', 'weather', 'atmospheric phenomenon', 'atmosphere', 'structure', 'building'];
const APPEARANCE_ANCESTORS = ['color', 'chromatic color', 'achromatic color', 'material', 'texture', 'pattern', 'design', 'fabric'];

export interface KindDecision {
  readonly kind: ConceptKind;
  /** Why, in words, for the policy view. */
  readonly reason: string;
}

/** Walks WordNet hypernyms of the concept's salient noun senses (at most `depth` levels) looking for a known ancestor. */
function lexicalKind(concept: string, lexicon: Lexicon, depth = 12): KindDecision | null {
  const key = phraseKey(concept);
  // "golden brown" is not a WordNet lemma; its head word "brown" is
  const keys = [key, ...baseForms(key), key.split(' ').at(-1) ?? key];
  const start = [...new Set(keys.flatMap((k) => lexicon.lookup(k)))]
    .flatMap((w) => lexicon.senses(w).filter((s) => s.salient))
    .map((s) => s.synset)
    .filter((s) => lexicon.pos(s) === 'n');
  const names = (s: number): string[] => lexicon.members(s).map((m) => lexicon.word(m.word));
  const seen = new Set<number>(start);
  let frontier = start;
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    // Senses at the same depth can disagree ("wood": a material, or a forest); layout wins, since switching early is the safe side.
    const lemmas = frontier.flatMap(names);
    const layout = lemmas.find((l) => LAYOUT_ANCESTORS.includes(l));
    if (layout) return { kind: 'layout', reason: `a kind of ${layout} (WordNet): a setting is drawn in the first steps` };
    const appearance = lemmas.find((l) => APPEARANCE_ANCESTORS.includes(l));
    if (appearance) return { kind: 'appearance', reason: `a kind of ${appearance} (WordNet)` };
    const next: number[] = [];
    for (const s of frontier) for (const h of lexicon.hypernyms(s)) if (!seen.has(h)) (seen.add(h), next.push(h));
    frontier = next;
  }
  return null;
}

export function conceptKind(concept: string, world: WorldValue | null, lexicon: Lexicon | null): KindDecision {
  if (world) {
    const kind = WORLD_KIND[world.attribute];
    const why = kind === 'layout' ? 'is drawn in the first steps' : 'is painted late';
    return { kind, reason: `the ${world.kind} ${world.name} of the embedded world ${why}` };
  }
  return (lexicon && lexicalKind(concept, lexicon)) || { kind: 'object', reason: 'an object or idea: the model’s default switch step' };
}
