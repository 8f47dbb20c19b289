import vocabularyJson from './vocabulary.json';

/** One value of an attribute (a colour, a shape...) and the words that name or imply it. */
export interface WorldValue {
  words: string[];
  plural?: string[];
  implicit: string[];
  rgb?: [number, number, number];
}

export const ATTRIBUTES = ['colour', 'shape', 'background', 'pattern', 'size', 'count'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

export interface WorldVocabulary {
  imageSize: number;
  attributes: Record<Attribute, { kind: string; values: Record<string, WorldValue> }>;
  positions: string[];
}

/** The embedded model's world, the same file the Python training tools read. */
export const WORLD = vocabularyJson as unknown as WorldVocabulary;

export function valuesOf(attribute: Attribute): string[] {
  return Object.keys(WORLD.attributes[attribute].values);
}
