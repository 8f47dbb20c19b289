/**
 * The offline fallback rewriter, for when no LLM can run (no WebGPU, no model downloaded, kiosk
 * without the weights). Pure lexical substitution driven by the guard's hits:
 * - a word of the embedded world (colour, shape, ...) becomes another value of the same attribute
 *   (for colours the most distant one), keeping plural and implicit-phrase forms;
 * - otherwise a WordNet antonym (large -> small, man -> woman);
 * - otherwise, for nouns, a sibling of the concept in WordNet (bird -> fish: another kind of vertebrate);
 * - otherwise the words are dropped.
 * Every candidate must pass the guard itself. It cannot see implicit associations ("banana" for
 * yellow) or rephrase, so every result is labelled as the fallback.
 */
import { createGuard, type ConceptGuard, type GuardHit, type GuardOptions } from '../guard/guard.ts';
import { pluralize } from '../guard/inflect.ts';
import type { Lexicon } from '../guard/lexicon.ts';
import { phraseKey } from '../guard/normalize.ts';
import { resolveWorldConcept } from '../world/resolve.ts';
import { WORLD, type WorldValue, type WorldVocabulary } from '../world/vocabulary.ts';
import { CancelledError } from '../errors.ts';
import { RewriteError } from './errors.ts';
import { guardCache, validateRewriteRequest } from './llmRewriter.ts';
import type { Replacement, RewriteRequest, RewriteResult, Rewriter } from './types.ts';

export const FALLBACK_LABEL = 'Offline fallback (word substitution, no language model)';

export interface FallbackRewriterOptions {
  readonly lexicon?: Lexicon | null;
  /** Default: the embedded world; null to leave it out. */
  readonly world?: WorldVocabulary | null;
  readonly guardOptions?: GuardOptions;
  readonly guardFor?: (concepts: readonly string[]) => ConceptGuard;
}

export interface FallbackOutcome {
  readonly rewritten: string;
  readonly replacements: readonly Replacement[];
  readonly inputHits: readonly GuardHit[];
}

const lastWord = (key: string): string => key.split(' ').at(-1) ?? key;

/** Rewrites `query` without the concepts, synchronously. Throws RewriteError('fallback-unsafe') when it cannot. */
export function fallbackRewrite(query: string, concepts: readonly string[], options: FallbackRewriterOptions = {}, guard?: ConceptGuard): FallbackOutcome {
  const world = options.world === undefined ? WORLD : options.world;
  const lexicon = options.lexicon ?? null;
  const g = guard ?? createGuard(concepts, lexicon, { ...options.guardOptions, world });
  const passes = (text: string): boolean => text.length > 0 && g.check(text).ok;
  const inputHits = g.check(query).hits;
  const replacements: Replacement[] = [];
  let text = query;

  for (let round = 0; round < 3; round++) {
    const hits = round === 0 ? inputHits : g.check(text).hits;
    if (hits.length === 0) return { rewritten: text, replacements, inputHits };
    // non-overlapping spans, longest first at each position
    const spans: GuardHit[] = [];
    for (const h of hits) {
      const prev = spans[spans.length - 1];
      if (prev && h.start < prev.end) continue;
      spans.push(h);
    }
    for (const hit of [...spans].reverse()) {
      const { to, reason } = chooseReplacement(hit, world, lexicon, passes);
      const replaced = applyReplacement(text, hit.start, hit.end, to);
      replacements.unshift({ start: hit.start, end: hit.end, from: hit.matched, to, concept: hit.concept, reason });
      text = replaced;
    }
    text = tidy(text);
  }
  const left = g.check(text);
  if (!left.ok || text.trim().length === 0) {
    throw new RewriteError(
      'fallback-unsafe',
      `The offline fallback could not remove the banned concept(s) ${concepts.map((c) => `"${c}"`).join(', ')} from the caption by word substitution. Nothing was passed on to the image generator.`,
      [],
    );
  }
  return { rewritten: text, replacements, inputHits };
}

function chooseReplacement(
  hit: GuardHit,
  world: WorldVocabulary | null,
  lexicon: Lexicon | null,
  passes: (t: string) => boolean,
): { to: string; reason: Replacement['reason'] } {
  const termKey = phraseKey(hit.term);
  const matchedKey = phraseKey(hit.matched);
  const plural = matchedKey !== termKey && pluralize(lastWord(termKey)).includes(lastWord(matchedKey));
  const shape = (word: string): string => {
    let w = word;
    if (plural) {
      const parts = w.split(' ');
      parts[parts.length - 1] = pluralize(parts[parts.length - 1] ?? '')[0] ?? '';
      w = parts.join(' ');
    }
    return /^[A-Z]/.test(hit.matched) ? w.charAt(0).toUpperCase() + w.slice(1) : w;
  };

  // 1. the embedded world: another value of the same attribute
  if (world) {
    const value = resolveWorldConcept(hit.term, world)?.value ?? resolveWorldConcept(hit.matched, world)?.value;
    if (value) {
      const implied = value.implicit.some((p) => phraseKey(p) === termKey);
      const form: 'implicit' | 'plural' | 'word' = implied ? 'implicit' : value.plural.some((p) => phraseKey(p) === matchedKey) ? 'plural' : 'word';
      for (const c of worldCandidates(world, value)) {
        const word = form === 'implicit' ? implicitLike(c, termKey) : form === 'plural' ? (c.plural[0] ?? c.words[0]) : c.words[0];
        if (word && passes(word)) return { to: form === 'word' ? shape(word) : word, reason: 'world-value' };
      }
    }
  }
  if (lexicon) {
    // 2. antonyms of the matched term, then of the concept
    for (const key of [termKey, phraseKey(hit.concept)]) {
      const words = bestWords(lexicon, synsetsOf(lexicon, key).flatMap((s) => lexicon.antonyms(s)), passes);
      if (words[0]) return { to: shape(words[0]), reason: 'antonym' };
    }
    // 3. nouns: a sibling of the concept (another kind of its hypernym)
    const own = synsetsOf(lexicon, phraseKey(hit.concept)).filter((s) => lexicon.pos(s) === 'n');
    const siblings = own.flatMap((s) => lexicon.hypernyms(s).flatMap((h) => lexicon.hyponyms(h))).filter((s) => !own.includes(s));
    const words = bestWords(lexicon, siblings, passes);
    if (words[0]) return { to: shape(words[0]), reason: 'sibling' };
  }
  return { to: '', reason: 'removed' };
}

/**
 * An implicit phrase of `value` that fits where `replaced` stood: "the colour of milk" after a
 * noun, "snow-coloured" (or the plain word) before one, never "a disc snow-coloured".
 */
function implicitLike(value: WorldValue, replaced: string): string | undefined {
  const after = (p: string): boolean => /^the\b/.test(phraseKey(p));
  return value.implicit.find((p) => after(p) === after(replaced)) ?? (after(replaced) ? undefined : value.words[0]);
}

/** Other values of the attribute: most distant colour first, else the values after this one. */
function worldCandidates(world: WorldVocabulary, value: WorldValue): WorldValue[] {
  const same = world.values.filter((v) => v.attribute === value.attribute);
  const at = same.indexOf(value);
  const others = [...same.slice(at + 1), ...same.slice(0, at)];
  const rgb = value.rgb;
  if (rgb && others.every((v) => v.rgb)) {
    const dist = (v: WorldValue): number => (v.rgb ?? rgb).reduce((a, x, i) => a + (x - (rgb[i] ?? 0)) ** 2, 0);
    return others.sort((a, b) => dist(b) - dist(a));
  }
  return others;
}

function synsetsOf(lexicon: Lexicon, key: string): number[] {
  return lexicon.lookup(key).flatMap((w) => lexicon.senses(w).filter((s) => s.salient).map((s) => s.synset));
}

/** Salient lemmas of the synsets, most frequent first (single words before phrases), that pass. */
function bestWords(lexicon: Lexicon, synsets: readonly number[], passes: (t: string) => boolean): string[] {
  const seen = new Set<number>();
  const words: { w: string; f: number }[] = [];
  for (const s of synsets) {
    for (const m of lexicon.members(s)) {
      if (!m.salient || seen.has(m.word)) continue;
      seen.add(m.word);
      words.push({ w: lexicon.word(m.word), f: lexicon.frequency(m.word) });
    }
  }
  words.sort((a, b) => b.f - a.f || Number(a.w.includes(' ')) - Number(b.w.includes(' ')) || a.w.length - b.w.length);
  return words.map((x) => x.w).filter(passes).slice(0, 1);
}

/** Replaces [start, end) and fixes "a"/"an" in front of it. */
function applyReplacement(text: string, start: number, end: number, to: string): string {
  let before = text.slice(0, start);
  let after = text.slice(end);
  if (to === '') after = after.replace(/^[\s-]+/, (m) => (m.includes(' ') || before.endsWith(' ') ? ' ' : ''));
  const next = to !== '' ? to : (after.trimStart().match(/^[A-Za-z]+/)?.[0] ?? '');
  const article = /\b(a|an|A|An)(\s+)$/.exec(before);
  if (article && next) {
    const an = /^[aeiou]/i.test(next) && !/^(uni|use|one|eu)/i.test(next);
    const word = article[1] as string;
    const fixed = (word[0] === 'A' ? 'A' : 'a') + (an ? 'n' : '');
    before = before.slice(0, article.index) + fixed + (article[2] as string);
  }
  return before + to + after;
}

function tidy(text: string): string {
  return text
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/([,;:])(?:\s*[,;:])+/g, '$1')
    .replace(/^[\s,;:]+|[\s,;:]+$/g, '')
    .trim();
}

export function createFallbackRewriter(options: FallbackRewriterOptions = {}): Rewriter {
  const world = options.world === undefined ? WORLD : options.world;
  const guardFor = guardCache(options.guardFor ?? ((c) => createGuard(c, options.lexicon ?? null, { ...options.guardOptions, world })));
  async function rewrite(request: RewriteRequest): Promise<RewriteResult> {
    validateRewriteRequest(request, false);
    if (request.signal?.aborted) throw new CancelledError('The rewrite was cancelled.');
    const concepts = request.concepts.map((c) => c.trim()).filter((c) => c.length > 0);
    const out = fallbackRewrite(request.query, concepts, { ...options, world }, request.policy?.guard ?? guardFor(concepts));
    return {
      rewritten: out.rewritten,
      attempts: 1,
      source: 'fallback',
      label: FALLBACK_LABEL,
      inputHits: out.inputHits,
      replacements: out.replacements,
      trace: [{ attempt: 1, raw: '', rewritten: out.rewritten }],
    };
  }
  return { kind: 'fallback', label: FALLBACK_LABEL, rewrite };
}
