/**
 * The embedded model's world, parsed and checked once: every attribute, its values in the judge's
 * head order, the words that name each value (first = canonical), their plurals and the phrases
 * that imply a value without naming it. The one source for the guard, the rewriters, the judges,
 * the drawer and the tools (src/core/world/vocabulary.json, read by tools/world/world.py too).
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.ts';
import vocabularyJson from './vocabulary.json';

export const ATTRIBUTES = ['colour', 'shape', 'background', 'pattern', 'size', 'count'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

/** One value of an attribute (a colour, a shape...) and the words that name or imply it. */
export interface WorldValue {
  readonly attribute: Attribute;
  /** What the attribute is, in words ("object colour"). */
  readonly kind: string;
  readonly name: string;
  /** Position in the attribute's list: the judge head's class index. */
  readonly index: number;
  readonly words: readonly string[];
  readonly plural: readonly string[];
  readonly implicit: readonly string[];
  /** Colours and backgrounds: the RGB the drawer paints. */
  readonly rgb?: readonly [number, number, number];
}

export interface WorldVocabulary {
  readonly imageSize: number;
  readonly attributes: readonly Attribute[];
  readonly values: readonly WorldValue[];
  readonly positions: readonly string[];
}

const words = z.array(z.string().trim().min(1)).default([]);
const ValueSchema = z.strictObject({
  words: z.array(z.string().trim().min(1)).min(1),
  plural: words,
  implicit: words,
  rgb: z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]).optional(),
});
const AttributeSchema = z.strictObject({ kind: z.string().min(1), values: z.record(z.string(), ValueSchema) });
const VocabularySchema = z.object({
  imageSize: z.number().int().positive(),
  attributes: z.strictObject(Object.fromEntries(ATTRIBUTES.map((a) => [a, AttributeSchema])) as Record<Attribute, typeof AttributeSchema>),
  positions: z.array(z.string().min(1)).min(1),
});

/** Checks a vocabulary.json value; throws InvalidInputError('world-vocabulary-invalid') naming the field. */
export function parseWorldVocabulary(json: unknown): WorldVocabulary {
  const r = VocabularySchema.safeParse(json);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(the whole file)'}: ${i.message}`);
    throw new InvalidInputError('world-vocabulary-invalid', `World vocabulary is invalid:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  }
  const values: WorldValue[] = [];
  for (const attribute of ATTRIBUTES) {
    const a = r.data.attributes[attribute];
    Object.entries(a.values).forEach(([name, v], index) => {
      values.push({ attribute, kind: a.kind, name, index, words: v.words, plural: v.plural, implicit: v.implicit, ...(v.rgb ? { rgb: v.rgb } : {}) });
    });
  }
  return { imageSize: r.data.imageSize, attributes: ATTRIBUTES, values, positions: r.data.positions };
}

/** The embedded model's world. */
export const WORLD: WorldVocabulary = parseWorldVocabulary(vocabularyJson);

/** The values of one attribute, in the judge head's order. */
export function valuesOf(attribute: Attribute, world: WorldVocabulary = WORLD): readonly WorldValue[] {
  return world.values.filter((v) => v.attribute === attribute);
}

/** Value names of one attribute, in the judge head's order. */
export function valueNames(attribute: Attribute, world: WorldVocabulary = WORLD): string[] {
  return valuesOf(attribute, world).map((v) => v.name);
}

/** One value by attribute and name; throws when the world has none. */
export function worldValue(attribute: Attribute, name: string, world: WorldVocabulary = WORLD): WorldValue {
  const v = world.values.find((x) => x.attribute === attribute && x.name === name);
  if (!v) throw new InvalidInputError('world-vocabulary-invalid', `The world has no ${attribute} "${name}".`);
  return v;
}

/** Every phrase of a value: name, words, plurals, implicit phrases. */
export const phrasesOf = (v: WorldValue): string[] => [v.name, ...v.words, ...v.plural, ...v.implicit];
