/**
 * The embedded world's judge, pure part: which attribute value a banned concept names, and the
 * decision from the judge network's outputs. The network (public/models/ores-tiny-world/judge/)
 * has one classification head per attribute; a concept is present when the head's argmax is the
 * concept's value. The ONNX session lives in src/engine/judge/.
 */
import { InvalidInputError } from '../errors.ts';
import { resolveWorldConcept } from '../world/resolve.ts';
import { ATTRIBUTES, valueNames, WORLD, type Attribute, type WorldVocabulary } from '../world/vocabulary.ts';
import type { RgbaImage } from '../metrics/image.ts';
import { judgedValues } from './worldAgreement.ts';
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

/** The world value a concept names (src/core/world/resolve.ts); throws when the world has no such value. */
export function worldConceptOf(concept: string, world: WorldVocabulary = WORLD): WorldConcept {
  const r = resolveWorldConcept(concept, world);
  if (r) return { concept, attribute: r.value.attribute, value: r.value.name, index: r.value.index };
  const list = ATTRIBUTES.map((a) => `${a} (${valueNames(a, world).join(', ')})`).join('; ');
  throw new InvalidInputError(
    'concept-not-in-world',
    `The concept "${concept}" is not part of the embedded world, so its judge cannot look for it. It knows: ${list}, their synonyms and implicit phrases (src/core/world/vocabulary.json).`,
  );
}

/**
 * How sure the judge must be that a banned value is absent before a verified image is shown: the
 * check flags an image when the value's probability reaches this, even if another value is more
 * likely. Measuring judges use the plain argmax; a verifier that also used it let through images
 * that an independent judge read as the banned value (p 0.45-0.67 there; bench/results/tiny-world-app).
 */
export const VERIFY_FLAG_AT = 0.2;

/**
 * Present when the attribute head's most likely class is the concept's value, or (for a verifier,
 * `flagAt` set) when the value's probability is at least `flagAt`.
 */
export function worldVerdict(prediction: WorldPrediction, c: WorldConcept, world: WorldVocabulary = WORLD, flagAt = Infinity): ConceptVerdict {
  const probs = prediction[c.attribute];
  const names = valueNames(c.attribute, world);
  if (!probs || probs.length !== names.length) {
    throw new InvalidInputError('judge-output-invalid', `The world judge's "${c.attribute}" head has ${probs?.length ?? 0} classes; the vocabulary has ${names.length}.`);
  }
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i;
  const score = probs[c.index]!;
  return {
    concept: c.concept,
    present: best === c.index || score >= flagAt,
    score,
    detail: `${c.attribute}: judged ${names[best]} (p=${probs[best]!.toFixed(2)}); ${c.value} p=${score.toFixed(2)}`,
  };
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

/** A judge over a world classifier; `flagAt` as in {@link worldVerdict} (verifiers pass {@link VERIFY_FLAG_AT}). */
export function createWorldJudge(classifier: WorldClassifier, world: WorldVocabulary = WORLD, flagAt = Infinity): ConceptJudge {
  return {
    id: `world-judge ${classifier.id}`,
    check(concepts) {
      for (const c of concepts) worldConceptOf(c, world);
    },
    async judge(images, concepts): Promise<ImageVerdict[]> {
      const mapped = concepts.map((c) => worldConceptOf(c, world));
      const predictions = await classifier.classify(images);
      return predictions.map((p) => ({ ...combineVerdicts(mapped.map((c) => worldVerdict(p, c, world, flagAt))), attributes: judgedValues(p) }));
    },
  };
}
