/**
 * Which value of the embedded world a concept names, however an administrator writes it: any of
 * the value's words or plurals ("crimson", "discs"), an implicit phrase with or without its leading
 * words ("in a lagoon", "lagoon"), other forms of a word ("spots" -> spotted, "stripes" -> striped,
 * "reddish" -> red), and attribute words around it ("teal backdrop", "green shade", "dotted
 * pattern", "large size"). The compiled policy calls this once per concept; nothing else maps a
 * concept to a world value.
 */
import { baseForms } from '../guard/inflect.ts';
import { phraseKey } from '../guard/normalize.ts';
import { phrasesOf, WORLD, type Attribute, type WorldValue, type WorldVocabulary } from './vocabulary.ts';

/** Words that name an attribute rather than a value ("backdrop"), with the attribute they point to. */
export const ATTRIBUTE_WORDS: Readonly<Record<string, Attribute>> = {
  color: 'colour', colors: 'colour', colored: 'colour', shade: 'colour', shades: 'colour', hue: 'colour', hues: 'colour',
  tone: 'colour', tones: 'colour', tint: 'colour', paint: 'colour', painted: 'colour',
  shape: 'shape', shapes: 'shape', shaped: 'shape', form: 'shape', forms: 'shape', object: 'shape', objects: 'shape', thing: 'shape', things: 'shape',
  background: 'background', backgrounds: 'background', backdrop: 'background', backdrops: 'background', setting: 'background', scenery: 'background',
  pattern: 'pattern', patterns: 'pattern', patterned: 'pattern', texture: 'pattern', print: 'pattern', design: 'pattern',
  size: 'size', sizes: 'size', sized: 'size',
  count: 'count', number: 'count', amount: 'count', quantity: 'count',
};

/** Leading words of implicit phrases and of casual concepts ("at night", "a lagoon", "the colour of..."). */
const LEADING = new Set(['a', 'an', 'the', 'at', 'on', 'in', 'under', 'over', 'of', 'any', 'anything', 'something', 'everything', 'all', 'no']);

function stripLeading(words: readonly string[]): string[] {
  const w = [...words];
  while (w.length > 1 && LEADING.has(w[0]!)) w.shift();
  return w;
}

type Index = Map<string, WorldValue>;
const indexes = new WeakMap<WorldVocabulary, Index>();

/**
 * The keys a phrase of the vocabulary is known by: itself, without its leading words ("lagoon"),
 * without trailing attribute words and "like" ("round thing" -> "round", "tomato-coloured" -> "tomato",
 * "coin-shaped thing" -> "coin", "zebra-like" -> "zebra"), and
 * what "the colour of ..." names ("the colour of a carrot" -> "carrot").
 */
function keysOf(phrase: string): string[] {
  const words = phraseKey(phrase).split(' ');
  const bare = [...words];
  while (bare.length > 1 && (ATTRIBUTE_WORDS[bare.at(-1)!] !== undefined || bare.at(-1) === 'like')) bare.pop();
  const of = words.indexOf('of');
  const named = of > 0 && ATTRIBUTE_WORDS[words[of - 1]!] !== undefined ? stripLeading(words.slice(of + 1)) : words;
  return [...new Set([words, stripLeading(words), bare, named].map((w) => w.join(' ')).filter((k) => k.length > 0))];
}

function indexOf(world: WorldVocabulary): Index {
  let index = indexes.get(world);
  if (index) return index;
  index = new Map();
  for (const v of world.values) {
    for (const p of phrasesOf(v)) for (const k of keysOf(p)) if (!index.has(k)) index.set(k, v);
  }
  indexes.set(world, index);
  return index;
}

/**
 * Every phrase that names `value` in the world, as the resolver reads them: its words, plurals and
 * implicit phrases as written, then the other keys above. The guard matches exactly these, so a prompt that says
 * "a tomato circle" is caught for red as surely as a concept written "tomato" resolves to red.
 */
export function worldPhrasesOf(value: WorldValue, world: WorldVocabulary = WORLD): string[] {
  const own = phrasesOf(value);
  const ownKeys = new Set(own.map(phraseKey));
  const keys = [...indexOf(world)].filter(([k, v]) => v === value && !ownKeys.has(k)).map(([k]) => k);
  return [...own, ...keys];
}

/**
 * Nouns an adjective or compound of a concept is made from: "triangular" -> "triangle", "spotty"
 * -> "spot", "nighttime" -> "night".
 */
function sourceNouns(word: string): string[] {
  const out: string[] = [];
  if (word.endsWith('ular') && word.length > 6) out.push(`${word.slice(0, -4)}le`);
  if (/[^aeiouy]y$/.test(word) && word.length > 4) {
    const stem = word.slice(0, -1);
    out.push(stem, /([^aeiou])\1$/.test(stem) ? stem.slice(0, -1) : stem);
  }
  if (word.endsWith('time') && word.length > 6) out.push(word.slice(0, -4));
  return out;
}

/** Forms a word of a concept may take in the vocabulary: itself, its base forms, and adjectives made from them. */
function wordForms(word: string): string[] {
  const out = [word, ...sourceNouns(word)];
  for (const b of [...baseForms(word), ...sourceNouns(word)]) {
    out.push(b);
    // "spot" -> "spotted", "stripe" -> "striped", "band" -> "banded", "dot" -> "dotted", "stripe" -> "stripy"
    out.push(`${b}ed`, `${b}d`, `${b}${b.at(-1)}ed`, `${b}y`, `${b.replace(/e$/, '')}y`);
  }
  return [...new Set(out)];
}

export interface WorldResolution {
  readonly value: WorldValue;
  /** The words of the concept that named it (after attribute words were set aside). */
  readonly via: string;
}

/**
 * The world value a concept names, or null when it names none (a concept outside the world, or one
 * that names two values at once such as "red circle").
 */
export function resolveWorldConcept(concept: string, world: WorldVocabulary = WORLD): WorldResolution | null {
  const index = indexOf(world);
  const key = phraseKey(concept);
  if (!key) return null;
  const direct = index.get(key) ?? index.get(stripLeading(key.split(' ')).join(' '));
  if (direct) return { value: direct, via: key };

  const all = key.split(' ');
  const hinted = all.map((w) => ATTRIBUTE_WORDS[w]).filter((a): a is Attribute => a !== undefined);
  const rest = stripLeading(all.filter((w) => ATTRIBUTE_WORDS[w] === undefined && w !== 'of'));
  if (rest.length === 0) return null;
  // "mid-sized size": only the trailing attribute word goes, the one inside the phrase stays
  const trailing = ATTRIBUTE_WORDS[all.at(-1)!] !== undefined && all.length > 1 ? all.slice(0, -1) : all;
  const candidates: string[] = [rest.join(' '), stripLeading(trailing).join(' ')];
  // other forms of the last word ("polka dots" -> "polka dot", "spots" -> "spotted")
  const last = rest[rest.length - 1]!;
  for (const f of wordForms(last)) candidates.push([...rest.slice(0, -1), f].join(' '));
  // "night-time" is also written "nighttime"
  if (rest.length === 2) candidates.push(...wordForms(rest.join('')));
  // "lime green", "sky blue": the head word names the value, when no other word names one ("red circle" names two)
  const modifiers = rest.slice(0, -1);
  if (modifiers.length > 0 && modifiers.every((w) => !wordForms(w).some((f) => index.has(f)))) candidates.push(...wordForms(last));
  const found = candidates.map((c) => index.get(c)).filter((v): v is WorldValue => v !== undefined);
  if (found.length === 0) return null;
  // "navy background": prefer a value of the attribute the concept names, when there is one
  const best = found.find((v) => hinted.includes(v.attribute)) ?? found[0]!;
  return { value: best, via: rest.join(' ') };
}
