/**
 * The embedded world's judge, pure part: which attribute value a banned concept names, and the
 * decision from the judge network's outputs. The network (public/models/ores-tiny-world/judge/)
 * has one classification head per attribute; a concept is present when the head's argmax is the
 * concept's value. The ONNX session lives in src/engine/judge/.
 */
import { InvalidInputError } from '../errors.ts';
import { phraseKey } from '../guard/normalize.ts';
import { ATTRIBUTES, WORLD, type Attribute, type WorldVocabulary } from '../world/vocabulary.ts';
import type { RgbaImage } from '../metrics/image.ts';
import { combineVerdicts, type ConceptJudge, type ConceptVerdict, type ImageVerdict } from './types.ts';

export interface WorldConcept {
  readonly concept: string;
  readonly attribute: Attribute;
  readonly value: string;
  /** Index of the value in the attribute's head (the order of vocabulary.json). */
  readonly index: number;
}

/** Per image: each attribute head's class probabilities, in vocabulary.json's value order. */
export type WorldPrediction = Readonly<Record<Attribute, Float32Array | readonly number[]>>;

/** The network behind the judge: RGBA images in, per-attribute probabilities out. */
export interface WorldClassifier {
  readonly id: string;
  classify(images: readonly RgbaImage[]): Promise<WorldPrediction[]>;
}

/** Words naming the attribute itself, dropped from a concept ("navy background" -> "navy"). */
const ATTRIBUTE_WORDS = new Set(['background', 'backdrop', 'color', 'colored', 'pattern', 'patterned', 'shape', 'shaped', 'size', 'sized']);
/** Leading words of implicit phrases ("at night" is also known as "night"). */
const LEADING = new Set(['a', 'an', 'the', 'at', 'on', 'in', 'under', 'over', 'of']);

function stripLeading(key: string): string {
  const words = key.split(' ');
  while (words.length > 1 && LEADING.has(words[0]!)) words.shift();
  return words.join(' ');
}

function stripAttributeWords(key: string): string {
  const words = key.split(' ').filter((w) => !ATTRIBUTE_WORDS.has(w));
  return words.length > 0 ? words.join(' ') : key;
}

type Index = Map<string, { attribute: Attribute; value: string; index: number }>;
const indexes = new WeakMap<WorldVocabulary, Index>();

function buildIndex(world: WorldVocabulary): Index {
  const index: Index = new Map();
  for (const attribute of ATTRIBUTES) {
    Object.entries(world.attributes[attribute].values).forEach(([value, v], i) => {
      const phrases = [value, ...v.words, ...(v.plural ?? []), ...v.implicit];
      for (const p of phrases) {
        const key = phraseKey(p);
        for (const k of [key, stripLeading(key)]) if (!index.has(k)) index.set(k, { attribute, value, index: i });
      }
    });
  }
  return index;
}

/** Maps a concept to the world value it names; throws when the world has no such value. */
export function worldConceptOf(concept: string, world: WorldVocabulary = WORLD): WorldConcept {
  let index = indexes.get(world);
  if (!index) indexes.set(world, (index = buildIndex(world)));
  const key = phraseKey(concept);
  for (const k of [key, stripLeading(key), stripAttributeWords(key), stripLeading(stripAttributeWords(key))]) {
    const hit = index.get(k);
    if (hit) return { concept, ...hit };
  }
  const list = ATTRIBUTES.map((a) => `${a} (${Object.keys(world.attributes[a].values).join(', ')})`).join('; ');
  throw new InvalidInputError(
    'concept-not-in-world',
    `The concept "${concept}" is not part of the embedded world, so its judge cannot look for it. It knows: ${list}, their synonyms and implicit phrases (src/core/world/vocabulary.json).`,
  );
}

/** Present when the attribute head's most likely class is the concept's value. */
export function worldVerdict(prediction: WorldPrediction, c: WorldConcept, world: WorldVocabulary = WORLD): ConceptVerdict {
  const probs = prediction[c.attribute];
  const names = Object.keys(world.attributes[c.attribute].values);
  if (!probs || probs.length !== names.length) {
    throw new InvalidInputError('judge-output-invalid', `The world judge's "${c.attribute}" head has ${probs?.length ?? 0} classes; the vocabulary has ${names.length}.`);
  }
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i;
  const score = probs[c.index]!;
  return {
    concept: c.concept,
    present: best === c.index,
    score,
    detail: `${c.attribute}: judged ${names[best]} (p=${probs[best]!.toFixed(2)}); ${c.value} p=${score.toFixed(2)}`,
  };
}

/** Every head's most likely value. */
export function worldReading(prediction: WorldPrediction, world: WorldVocabulary = WORLD): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of ATTRIBUTES) {
    const probs = prediction[a];
    const names = Object.keys(world.attributes[a].values);
    let best = 0;
    for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i;
    out[a] = names[best]!;
  }
  return out;
}

/** Softmax of one head's logits. */
export function softmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

export function createWorldJudge(classifier: WorldClassifier, world: WorldVocabulary = WORLD): ConceptJudge {
  return {
    id: `world-judge ${classifier.id}`,
    check(concepts) {
      for (const c of concepts) worldConceptOf(c, world);
    },
    async judge(images, concepts): Promise<ImageVerdict[]> {
      const mapped = concepts.map((c) => worldConceptOf(c, world));
      const predictions = await classifier.classify(images);
      return predictions.map((p) => ({ ...combineVerdicts(mapped.map((c) => worldVerdict(p, c, world))), attributes: worldReading(p, world) }));
    },
  };
}
