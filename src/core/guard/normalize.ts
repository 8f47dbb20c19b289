/**
 * Text normalisation for the concept guard: undoes the tricks people use to slip a word past a
 * filter while keeping a map back to the original text (so the educator view can highlight the
 * exact characters that carried a concept).
 *
 * - compatibility forms (full-width, mathematical letters, ligatures, circled letters): NFKD;
 * - accents and other combining marks: dropped;
 * - case: lower-cased;
 * - look-alike letters from other scripts (Cyrillic "е", Greek "ο", small capitals, regional
 *   indicator and negative squared letters): mapped to Latin;
 * - zero-width and other invisible characters (ZWSP, ZWJ, soft hyphen, bidi controls, variation
 *   selectors, tag characters): removed;
 * - leetspeak inside words ("r3d", "b!rd"): mapped in {@link tokenize}; a capital I inside a
 *   lower-case word ("bIue") is read as a leet 1 (i or l);
 * - spaced-out letters ("r e d", "r.e.d", "r-e-d") are joined by the guard from single-letter tokens.
 */

/** Characters that render as nothing (or almost nothing) and are dropped before matching. */
const INVISIBLE =
  /^[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\u{1D173}-\u{1D17A}\u{E0000}-\u{E0FFF}]$/u;

const COMBINING = /\p{M}/gu;

/** Look-alikes that NFKD leaves alone, after lower-casing. Keys are single code points. */
const CONFUSABLES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', з: '3', к: 'k', м: 'm', н: 'h', о: 'o', п: 'n', р: 'p', с: 'c', т: 't',
  у: 'y', х: 'x', ѕ: 's', і: 'i', ї: 'i', ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l', ү: 'y', ь: 'b',
  ɡ: 'g', ԍ: 'g', ԃ: 'd', ѵ: 'v', ѡ: 'w', ꙇ: 'i',
  // Greek
  α: 'a', β: 'b', γ: 'y', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x',
  ω: 'w', ϲ: 'c', ϳ: 'j', ς: 's', ϱ: 'p', ϵ: 'e',
  // Armenian
  օ: 'o', ս: 'u', հ: 'h', ո: 'n', ց: 'g', ք: 'p', զ: 'q',
  // Latin look-alikes and small capitals
  ı: 'i', ȷ: 'j', ɑ: 'a', ɩ: 'i', ɪ: 'i', ʏ: 'y', ʀ: 'r', ʜ: 'h', ʟ: 'l', ɴ: 'n', ɢ: 'g', ǫ: 'q', ꜱ: 's', ꜰ: 'f',
  ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ᴊ: 'j', ᴋ: 'k', ᴍ: 'm', ᴏ: 'o', ᴘ: 'p', ᴛ: 't', ᴜ: 'u', ᴠ: 'v',
  ᴡ: 'w', ᴢ: 'z', ɾ: 'r', ɼ: 'r', ƅ: 'b', ɓ: 'b', ƈ: 'c', ɗ: 'd', ƒ: 'f', ɦ: 'h', ƙ: 'k', ɱ: 'm', ɲ: 'n',
  ƥ: 'p', ʠ: 'q', ʂ: 's', ƭ: 't', ʋ: 'v', ⱳ: 'w', ƴ: 'y', ȥ: 'z', ø: 'o', đ: 'd', ħ: 'h', ł: 'l', ŧ: 't',
  ß: 'ss', æ: 'ae', œ: 'oe', þ: 'th',
  // punctuation look-alikes that matter for tokenisation
  '\u2019': "'", '\u2018': "'", '\u02BC': "'", '\u2032': "'", '\u2010': '-', '\u2011': '-', '\u2012': '-',
  '\u2013': '-', '\u2014': '-', '\u2212': '-',
};

/** Leetspeak inside a word; "1" is ambiguous and is read as "i" and as "l". */
const LEET: Readonly<Record<string, readonly string[]>> = {
  '0': ['o'], '1': ['i', 'l'], '3': ['e'], '4': ['a'], '5': ['s'], '7': ['t'], '8': ['b'], '9': ['g'],
  '@': ['a'], $: ['s'], '!': ['i'], '|': ['l'], '+': ['t'],
};
const LEET_SYMBOLS = new Set(['@', '$', '!', '|', '+']);

/** British/American spelling pairs folded onto one form before lookup. */
const SPELLING: ReadonlyMap<string, string> = new Map(Object.entries({
  colour: 'color', colours: 'colors', coloured: 'colored', colouring: 'coloring', colourful: 'colorful',
  colourless: 'colorless', grey: 'gray', greys: 'grays', greyish: 'grayish', centre: 'center', centres: 'centers',
  theatre: 'theater', metre: 'meter', favourite: 'favorite', jewellery: 'jewelry', aluminium: 'aluminum',
  harbour: 'harbor', neighbour: 'neighbor', armour: 'armor', mould: 'mold', moustache: 'mustache',
  pyjamas: 'pajamas', tyre: 'tire', tyres: 'tires', aeroplane: 'airplane', doughnut: 'donut',
}));

function mapCodePoint(cp: number, ch: string): string {
  // Regional indicators 🇦..🇿, negative circled 🅐..🅩 and negative squared 🅰..🆉 have no decomposition.
  if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return String.fromCharCode(97 + cp - 0x1f1e6);
  if (cp >= 0x1f150 && cp <= 0x1f169) return String.fromCharCode(97 + cp - 0x1f150);
  if (cp >= 0x1f170 && cp <= 0x1f189) return String.fromCharCode(97 + cp - 0x1f170);
  let s = ch.normalize('NFKD').replace(COMBINING, '').toLowerCase().replace(COMBINING, '');
  if (s.length === 0) return '';
  let out = '';
  for (const c of s) out += Object.hasOwn(CONFUSABLES, c) ? CONFUSABLES[c] : c;
  s = out;
  return s;
}

export interface NormalizedText {
  /** The normalised text (lower case, Latin, no invisible characters). */
  readonly text: string;
  /** For each UTF-16 unit of `text`: where its source character starts in the original. */
  readonly starts: readonly number[];
  /** For each UTF-16 unit of `text`: where its source character ends in the original. */
  readonly ends: readonly number[];
  /** For each UTF-16 unit of `text`: 1 when it came from a look-alike, a compatibility form or sits next to a removed invisible character. */
  readonly tricked: Uint8Array;
}

/**
 * A capital I between lower-case letters ("bIue", "kIller") looks like an l in most fonts; it is
 * read as the leet digit 1, which tokenize reads both ways ("biue", "blue").
 */
function isCapitalIForL(input: string, at: number): boolean {
  return input[at] === 'I' && /[a-z]/.test(input[at - 1] ?? '') && /[a-z]/.test(input[at + 1] ?? '');
}

/** Normalises `input` for matching, keeping offsets back into `input`. */
export function normalizeText(input: string): NormalizedText {
  let text = '';
  const starts: number[] = [];
  const ends: number[] = [];
  const tricked: number[] = [];
  let pendingInvisible = false;
  let i = 0;
  for (const ch of input) {
    const cp = ch.codePointAt(0) ?? 0;
    const start = i;
    i += ch.length;
    if (INVISIBLE.test(ch)) {
      pendingInvisible = true;
      if (tricked.length > 0) tricked[tricked.length - 1] = 1;
      continue;
    }
    const capitalI = isCapitalIForL(input, start);
    const mapped = capitalI ? '1' : mapCodePoint(cp, ch);
    const plain = ch.toLowerCase();
    const isTrick = pendingInvisible || capitalI || (mapped !== plain && !/^[a-z]$/.test(plain) && /[a-z0-9]/.test(mapped));
    pendingInvisible = false;
    for (let k = 0; k < mapped.length; k++) {
      text += mapped[k];
      starts.push(start);
      ends.push(i);
      tricked.push(isTrick ? 1 : 0);
    }
  }
  return { text, starts, ends, tricked: Uint8Array.from(tricked) };
}

/** A word of the normalised text. */
export interface Token {
  /** Lower-case letters and digits as written (apostrophes removed). */
  readonly text: string;
  /** Leetspeak readings of `text` (empty when it has no digits or symbols mixed with letters). */
  readonly leet: readonly string[];
  /** Offsets in the normalised text. */
  readonly start: number;
  readonly end: number;
}

const isAlnum = (c: string | undefined): boolean => c !== undefined && /[a-z0-9]/.test(c);
const isLetter = (c: string | undefined): boolean => c !== undefined && /[a-z]/.test(c);

/**
 * Splits normalised text into words. Apostrophes between letters are dropped ("dog's" -> "dogs",
 * "don't" -> "dont"); hyphens, underscores, slashes and dots separate words; leet symbols count as
 * part of a word only between two letters or digits ("b!rd", "r3d").
 */
export function tokenize(norm: string): Token[] {
  const tokens: Token[] = [];
  let cur = '';
  let start = -1;
  const flush = (end: number): void => {
    if (cur.length > 0) tokens.push({ text: cur, leet: leetReadings(cur), start, end });
    cur = '';
    start = -1;
  };
  for (let i = 0; i < norm.length; i++) {
    const c = norm[i] as string;
    if (isAlnum(c)) {
      if (start < 0) start = i;
      cur += c;
    } else if (c === "'" && cur.length > 0 && isAlnum(norm[i + 1])) {
      // apostrophe inside a word: skip it, keep the word going
    } else if (LEET_SYMBOLS.has(c) && cur.length > 0 && isAlnum(norm[i + 1])) {
      cur += c;
    } else {
      flush(i);
    }
  }
  flush(norm.length);
  return tokens;
}

/** Readings of a word written with leetspeak; [] for ordinary words and plain numbers. */
export function leetReadings(word: string): string[] {
  if (!/[a-z]/.test(word) || !/[0-9@$!|+]/.test(word)) return [];
  let readings = [''];
  for (const c of word) {
    const options = (Object.hasOwn(LEET, c) ? LEET[c] : undefined) ?? [c];
    const next: string[] = [];
    for (const r of readings) for (const o of options) next.push(r + o);
    readings = next.slice(0, 16);
  }
  return readings.filter((r) => r !== word);
}

/** Folds British spellings onto American ones (WordNet lists both, the world vocabulary uses British). */
export function canonicalSpelling(word: string): string {
  return SPELLING.get(word) ?? word;
}

/**
 * The lookup key of a phrase: normalised, tokenised, spelling-folded words joined by one space.
 * "Tomato-Coloured" and "tomato coloured" share the key "tomato colored".
 */
export function phraseKey(phrase: string): string {
  return tokenize(normalizeText(phrase).text)
    .map((t) => canonicalSpelling(t.text))
    .join(' ');
}

/** True for single letters that people space out to dodge filters ("r e d"). */
export function isSingleLetter(token: Token): boolean {
  return token.text.length === 1 && isLetter(token.text);
}
