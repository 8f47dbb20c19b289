/**
 * The embedded model's world as word lists for the guard and the offline fallback rewriter:
 * each attribute (colour, shape, ...) has values, each value has direct words (first = canonical),
 * optional plurals and implicit phrases ("the colour of a ripe strawberry" means red).
 * Source of truth: src/core/world/vocabulary.json.
 */
import vocabularyJson from '../world/vocabulary.json';
import { InvalidInputError } from '../errors.ts';

export interface WorldValue {
  readonly attribute: string;
  /** What the attribute is, in words ("object colour"). */
  readonly kind: string;
  readonly name: string;
  readonly words: readonly string[];
  readonly plural: readonly string[];
  readonly implicit: readonly string[];
  /** Colours only: the value's RGB (the fallback picks the most distant colour). */
  readonly rgb?: readonly [number, number, number];
}

export interface WorldVocabulary {
  readonly attributes: readonly string[];
  readonly values: readonly WorldValue[];
}

function strings(v: unknown, where: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw new InvalidInputError('world-vocabulary-invalid', `World vocabulary: ${where} must be a list of strings.`);
  }
  return v as string[];
}

/** Reads the attribute/value/word structure of a vocabulary.json value. */
export function parseWorldVocabulary(json: unknown): WorldVocabulary {
  const attrs = (json as { attributes?: unknown } | null)?.attributes;
  if (!attrs || typeof attrs !== 'object') {
    throw new InvalidInputError('world-vocabulary-invalid', 'World vocabulary: "attributes" is missing.');
  }
  const values: WorldValue[] = [];
  for (const [attribute, a] of Object.entries(attrs as Record<string, unknown>)) {
    const { kind, values: vals } = (a ?? {}) as { kind?: unknown; values?: unknown };
    if (!vals || typeof vals !== 'object') {
      throw new InvalidInputError('world-vocabulary-invalid', `World vocabulary: attribute "${attribute}" has no values.`);
    }
    for (const [name, v] of Object.entries(vals as Record<string, unknown>)) {
      const o = (v ?? {}) as Record<string, unknown>;
      const words = strings(o.words, `${attribute}.${name}.words`);
      values.push({
        attribute,
        kind: typeof kind === 'string' ? kind : attribute,
        name,
        words: words.length > 0 ? words : [name],
        plural: strings(o.plural, `${attribute}.${name}.plural`),
        implicit: strings(o.implicit, `${attribute}.${name}.implicit`),
        ...(Array.isArray(o.rgb) && o.rgb.length === 3 && o.rgb.every((x) => typeof x === 'number')
          ? { rgb: o.rgb as [number, number, number] }
          : {}),
      });
    }
  }
  return { attributes: Object.keys(attrs), values };
}

let embedded: WorldVocabulary | undefined;
/** The embedded model's world (src/core/world/vocabulary.json). */
export function embeddedWorld(): WorldVocabulary {
  embedded ??= parseWorldVocabulary(vocabularyJson);
  return embedded;
}
