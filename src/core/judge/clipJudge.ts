/**
 * A CLIP zero-shot judge for Stable Diffusion models. CLIP reads captions like a bag of words and
 * ignores negation ("a photo without a dog" scores about like "a photo of a dog"), so it never gets
 * "without X": the concept-present captions compete with concept-ABSENT alternatives that name
 * something else in the concept's place (other values of the same world attribute, WordNet
 * antonyms, WordNet siblings, and neutral scenes). Every alternative is checked by the concept
 * guard, so none of them mentions the concept under another name either.
 *
 * Decision: the concept is present when the best-scoring caption is a concept-present one.
 * The model wiring (transformers.js) is src/engine/judge/clipClassifier.ts.
 */
import { InvalidInputError } from '../errors.ts';
import { createGuard } from '../guard/guard.ts';
import type { Lexicon } from '../guard/lexicon.ts';
import { phraseKey } from '../guard/normalize.ts';
import { resolveWorldConcept } from '../world/resolve.ts';
import { WORLD, type WorldVocabulary } from '../world/vocabulary.ts';
import type { RgbaImage } from '../metrics/image.ts';
import { combineVerdicts, type ConceptJudge, type ConceptVerdict } from './types.ts';

/** Zero-shot image classification: per image, a score per label (same order as `labels`, summing to 1). */
export interface ZeroShotClassifier {
  readonly id: string;
  classify(images: readonly RgbaImage[], labels: readonly string[]): Promise<number[][]>;
}

export interface ClipPromptSet {
  readonly concept: string;
  /** Captions with the concept. */
  readonly present: readonly string[];
  /** Captions naming something else in its place; no negation, no concept. */
  readonly absent: readonly string[];
}

export interface ClipPromptOptions {
  readonly lexicon?: Lexicon | null;
  /** Default: the embedded world (other values of the same attribute are alternatives). */
  readonly world?: WorldVocabulary | null;
  /** Caption templates with "{}" for the thing named; the same ones wrap present and absent texts. */
  readonly templates?: readonly string[];
  /** Alternatives to add (checked like the others). */
  readonly extraAbsent?: readonly string[];
  /** Most alternatives kept from WordNet (default 8). */
  readonly maxAlternatives?: number;
}

export const CLIP_TEMPLATES: readonly string[] = ['a photo of {}', 'a picture of {}'];
/** Neutral things that are never the concept (each is still checked by the guard). */
export const NEUTRAL_ALTERNATIVES: readonly string[] = ['an ordinary object', 'an everyday scene'];
/** Words that negate: CLIP cannot read them, so no caption may contain one. */
export const NEGATION_WORDS: readonly string[] = ['no', 'not', 'without', 'non', 'never', 'none', 'nothing', 'lacking', 'absent', 'free', 'minus', 'except', 'neither', 'nor'];

/** True when the text contains a negation word (or an "n't"). */
export function hasNegation(text: string): boolean {
  if (/n['’]t\b/i.test(text)) return true;
  const words = phraseKey(text).split(' ');
  return words.some((w) => NEGATION_WORDS.includes(w));
}

function wordnetAlternatives(concept: string, lexicon: Lexicon): string[] {
  const key = phraseKey(concept);
  const own = lexicon.lookup(key).flatMap((w) => lexicon.senses(w).filter((s) => s.salient).map((s) => s.synset));
  // Adjective satellites ("cloudy") have no antonyms of their own: take their head's ("cloudless").
  const antonymSources = [...own, ...own.filter((s) => lexicon.pos(s) === 's').flatMap((s) => lexicon.similar(s))];
  const antonyms = antonymSources.flatMap((s) => lexicon.antonyms(s));
  const siblings = own
    .filter((s) => lexicon.pos(s) === 'n')
    .flatMap((s) => lexicon.hypernyms(s).flatMap((h) => lexicon.hyponyms(h)))
    .filter((s) => !own.includes(s));
  const words: { w: string; f: number; antonym: boolean }[] = [];
  const seen = new Set<string>();
  for (const [list, antonym] of [[antonyms, true], [siblings, false]] as const) {
    for (const s of list) {
      for (const m of lexicon.members(s)) {
        const w = lexicon.word(m.word);
        if (!m.salient || seen.has(w)) continue;
        seen.add(w);
        words.push({ w: w.replace(/_/g, ' '), f: lexicon.frequency(m.word), antonym });
      }
    }
  }
  words.sort((a, b) => Number(b.antonym) - Number(a.antonym) || b.f - a.f);
  return words.map((x) => x.w);
}

/** The captions the judge compares for one concept. */
export function clipPromptSet(concept: string, o: ClipPromptOptions = {}): ClipPromptSet {
  const templates = o.templates ?? CLIP_TEMPLATES;
  if (templates.length === 0 || templates.some((t) => !t.includes('{}'))) {
    throw new InvalidInputError('bad-judge-templates', 'Every CLIP caption template must contain "{}".');
  }
  const lexicon = o.lexicon ?? null;
  const world = o.world === undefined ? WORLD : o.world;
  const guard = createGuard([concept], lexicon, { world });
  for (const t of [...templates, ...(o.extraAbsent ?? [])]) {
    if (hasNegation(t)) throw new InvalidInputError('negated-judge-caption', `The judge caption "${t}" contains a negation; CLIP cannot read negation, name something else instead.`);
  }
  const things: string[] = [];
  if (world) {
    const value = resolveWorldConcept(concept, world)?.value;
    if (value) things.push(...world.values.filter((v) => v.attribute === value.attribute && v !== value).map((v) => v.words[0]!));
  }
  if (lexicon) things.push(...wordnetAlternatives(concept, lexicon).slice(0, o.maxAlternatives ?? 8));
  things.push(...(o.extraAbsent ?? []), ...NEUTRAL_ALTERNATIVES);
  const absentThings = [...new Set(things)].filter((t) => phraseKey(t) !== '' && !hasNegation(t) && guard.check(t).ok);
  const fill = (thing: string) => templates.map((t) => t.replace('{}', thing));
  const present = fill(concept);
  const absent = [...new Set(absentThings.flatMap(fill))].filter((t) => guard.check(t).ok);
  if (absent.length === 0) throw new InvalidInputError('no-judge-alternatives', `No concept-free alternative caption could be built for "${concept}".`);
  return { concept, present, absent };
}

/** Present when the best caption is a concept-present one; score = the present captions' share. */
export function clipDecision(set: ClipPromptSet, scores: readonly number[]): ConceptVerdict {
  const labels = [...set.present, ...set.absent];
  if (scores.length !== labels.length) {
    throw new InvalidInputError('judge-output-invalid', `The classifier gave ${scores.length} scores for ${labels.length} captions.`);
  }
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  const total = scores.reduce((a, b) => a + b, 0) || 1;
  const presentShare = scores.slice(0, set.present.length).reduce((a, b) => a + b, 0) / total;
  return { concept: set.concept, present: best < set.present.length, score: presentShare, detail: `top caption "${labels[best]}" (${scores[best]!.toFixed(2)})` };
}

export function createClipJudge(classifier: ZeroShotClassifier, o: ClipPromptOptions = {}): ConceptJudge {
  const sets = new Map<string, ClipPromptSet>();
  const setFor = (c: string): ClipPromptSet => {
    let s = sets.get(c);
    if (!s) sets.set(c, (s = clipPromptSet(c, o)));
    return s;
  };
  return {
    id: `clip ${classifier.id}`,
    check(concepts) {
      concepts.forEach(setFor);
    },
    async judge(images, concepts) {
      const perConcept: ConceptVerdict[][] = [];
      for (const c of concepts) {
        const set = setFor(c);
        const scores = await classifier.classify(images, [...set.present, ...set.absent]);
        perConcept.push(scores.map((s) => clipDecision(set, s)));
      }
      return images.map((_, i) => combineVerdicts(perConcept.map((v) => v[i]!)));
    },
  };
}
