/**
 * The embedded model's vocabulary as the page shows it: which words it can draw, by attribute.
 * The one place the app's view code reads vocabulary.json (swap the import for the typed
 * vocabulary module once there is one).
 */
import vocabularyJson from '../../core/world/vocabulary.json';

export interface DrawableGroup {
  /** "colour", "shape", ... */
  readonly attribute: string;
  /** Each value's words (first = canonical, then synonyms). */
  readonly values: readonly { readonly value: string; readonly words: readonly string[] }[];
}

interface RawValue {
  words: string[];
}

/** Attributes in the order a prompt names them ("a large red striped circle on a navy background"). */
const ORDER = ['count', 'size', 'colour', 'pattern', 'shape', 'background'] as const;

export function drawableGroups(): DrawableGroup[] {
  const attrs = (vocabularyJson as unknown as { attributes: Record<string, { values: Record<string, RawValue> }> }).attributes;
  return ORDER.filter((a) => attrs[a]).map((attribute) => ({
    attribute,
    values: Object.entries(attrs[attribute]!.values).map(([value, v]) => ({ value, words: v.words })),
  }));
}

/**
 * An example prompt for the placeholder that `passes` the policy (a kiosk banning red must not
 * suggest "a red circle"): the first allowed canonical word of each attribute, in prompt order.
 */
export function examplePrompt(passes: (text: string) => boolean): string {
  const pick = (attribute: string): string | undefined =>
    drawableGroups()
      .find((g) => g.attribute === attribute)
      ?.values.map((v) => v.words[0]!)
      .find(passes);
  const size = pick('size');
  const colour = pick('colour');
  const shape = pick('shape');
  const background = pick('background');
  if (!shape) return 'describe the picture';
  const words = [size, colour, shape].filter((w): w is string => w !== undefined);
  const article = /^[aeiou]/.test(words[0]!) ? 'an' : 'a';
  const text = `${article} ${words.join(' ')}${background ? ` on a ${background} background` : ''}`;
  return passes(text) ? text : 'describe the picture';
}
