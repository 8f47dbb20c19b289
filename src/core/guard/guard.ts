/**
 * The concept guard: does a text mention a banned concept, and which words carry it?
 *
 * A concept expands into a word list: the concept itself and its inflections, WordNet synonyms
 * (same synset, adjective satellites), WordNet hyponyms (kinds of it: the whole transitive closure,
 * so a ban on "animal" covers "beagle"), words WordNet derives from the concept's own words
 * ("violent" for violence, "floral" for flower), lemmas built on a covered word whose gloss names it
 * ("snowman", "gunman", "golden"; not "hotdog" for dog), and, for the embedded model's world, every
 * word and implicit phrase of the matching value.
 * Text is normalised first (see normalize.ts) and matched word by word, so case, accents,
 * look-alike letters, invisible characters, leetspeak, hyphen/space variants ("polka-dot",
 * "polka dot", "polkadot"), spaced-out letters ("r e d", "r.e.d") and camelCase are seen through.
 * Words WordNet does not know are read as derivations ("snowy"-style) or compounds ("dogwalker",
 * "schoolchildren") of a covered word; a covered word inside a WordNet phrase that is not about it
 * ("hot dog", "the Red Sea", "cocktail dress") is not a hit.
 *
 * Hits carry offsets into the original text, so the educator view can highlight them.
 */
import { InvalidInputError } from '../errors.ts';
import { NEGATING_PARTS, baseForms, derivationalStems, inflections, type PartOfSpeech } from './inflect.ts';
import type { Lexicon, SynsetPos } from './lexicon.ts';
import { canonicalSpelling, isSingleLetter, normalizeText, phraseKey, tokenize, type Token } from './normalize.ts';
import { resolveWorldConcept, worldPhrasesOf } from '../world/resolve.ts';
import { WORLD, type WorldValue, type WorldVocabulary } from '../world/vocabulary.ts';

/** How a matched word relates to the banned concept. */
export type GuardVia =
  | 'exact' // the concept as written
  | 'inflection' // another form of it ("parrots", "running", "redder")
  | 'synonym' // a WordNet synonym or adjective satellite ("crimson" for red, "huge" for large)
  | 'hyponym' // a WordNet kind or member of it ("parrot" for bird, "golden retriever" for dog, "cop" for police)
  | 'derived' // derived from a covered word ("violent" for violence, "snowy" for snow)
  | 'compound' // built on a covered word ("snowman" for snow, "dogwalker" for dog)
  | 'world' // a word or implicit phrase of the embedded world's value ("the colour of a ripe strawberry")
  | 'head'; // the head word of a multi-word concept WordNet does not know ("green" for "neon green")

export interface GuardTerm {
  readonly concept: string;
  /** The word or phrase as listed (WordNet lemma, world phrase or the concept). */
  readonly term: string;
  readonly via: GuardVia;
  /** Inflected forms that are matched too. */
  readonly forms: readonly string[];
}

export interface GuardHit {
  /** The banned concept, as given. */
  readonly concept: string;
  /** The characters of the checked text that carry it (original text, `text.slice(start, end)`). */
  readonly matched: string;
  readonly start: number;
  readonly end: number;
  readonly via: GuardVia;
  /** The listed term that matched ("crimson", "golden retriever"). */
  readonly term: string;
  /** True when the match saw through a trick: look-alike letters, invisible characters, leetspeak or spaced letters. */
  readonly obfuscated: boolean;
}

export interface GuardResult {
  readonly ok: boolean;
  readonly hits: readonly GuardHit[];
}

export interface GuardOptions {
  /** The embedded world's vocabulary; null to leave it out. Default: src/core/world/vocabulary.json. */
  world?: WorldVocabulary | null;
  /** How many hyponym levels to follow (default: all of them). */
  hyponymDepth?: number;
  /** 'salient' (default) skips word senses the tagged corpus rarely uses ("dog" as a frankfurter); 'all' keeps them. */
  senses?: 'salient' | 'all';
  /** Safety bound: stop expanding a concept after this many terms (default 50 000); see `describe().truncated`. */
  maxTermsPerConcept?: number;
  /** Expand multi-word concepts WordNet does not know to their head word (default true). */
  multiwordHead?: boolean;
}

/** What one concept resolved to, for the policy view. */
export interface ConceptDescription {
  /** How many words and phrases the concept covers (inflected forms not counted). */
  readonly termCount: number;
  /** A few covered terms, best route first (the concept's own forms, synonyms, then kinds of it). */
  readonly sample: readonly string[];
  /** True when the concept resolved to nothing beyond its literal words and their inflections. */
  readonly literalOnly: boolean;
  /** True when the expansion stopped at `maxTermsPerConcept`. */
  readonly truncated: boolean;
}

export interface ConceptGuard {
  readonly concepts: readonly string[];
  check(text: string): GuardResult;
  /** The word list of one concept (or of all), best route first. */
  terms(concept?: string): GuardTerm[];
  /** What `concept` (one of `concepts`) resolved to. */
  describe(concept: string): ConceptDescription;
  /** True when a concept's expansion hit `maxTermsPerConcept`. */
  readonly truncated: boolean;
}

const VIA_RANK: Readonly<Record<GuardVia, number>> = {
  exact: 0,
  inflection: 1,
  world: 2,
  synonym: 3,
  derived: 4,
  head: 5,
  hyponym: 6,
  compound: 7,
};
/** Covered words shorter than this are not looked for inside compounds ("ox" in "box"). */
const MIN_PART = 3;
/** The longest WordNet phrase looked for around a hit ("shotgun wedding", "dog days"). */
const MAX_LEMMA_WORDS = 4;
/** How many terms `describe` shows. */
const SAMPLE_SIZE = 8;

/**
 * Function words and other very common words that WordNet lists as lemmas of some obscure synset
 * ("a" is vitamin A, "it" is information technology). They are only flagged when they are the
 * concept itself (or a world word), never as a synonym or hyponym.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the of in on at to for from by with without and or but nor not no yes is am are was were be been being ' +
    'it its this that these those there here he she they we you i me him her them us my your his our their ' +
    'as so if then than too very can will would should could may might must do does did done have has had ' +
    'up down out over under off into onto about above below between through after before while during ' +
    'all any some each every both either neither one two first last other another such own same new old ' +
    'get got go went make made take see look like way thing things something nothing anything lot lots ' +
    'photo picture image view scene shot style time day year ok'
  ).split(' '),
);

interface Entry {
  concept: number;
  via: GuardVia;
  term: string;
}

const FILE_POS: Readonly<Record<SynsetPos, PartOfSpeech>> = { n: 'n', v: 'v', a: 'a', s: 'a', r: 'r' };

/** Splits a concept field ("kids, red" / "labrador; moving") into concepts. */
export function splitConcepts(field: string): string[] {
  return field
    .split(/[,;\n]/)
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

/** One line for feedback and the UI: `"crimson" (synonym of red)`. */
export function describeHit(hit: GuardHit): string {
  const what =
    hit.via === 'exact'
      ? 'the concept itself'
      : hit.via === 'inflection'
        ? `a form of "${hit.concept}"`
        : hit.via === 'synonym'
          ? `a synonym of "${hit.concept}"`
          : hit.via === 'hyponym'
            ? `a kind of "${hit.concept}"`
            : hit.via === 'derived'
              ? `derived from "${hit.concept}"`
              : hit.via === 'compound'
                ? `a word built on "${hit.concept}"`
                : hit.via === 'world'
                  ? `a word for "${hit.concept}" in the model's world`
                  : `the head word of "${hit.concept}"`;
  const term = hit.term && phraseKey(hit.term) !== phraseKey(hit.matched) ? ` ("${hit.term}")` : '';
  return `"${hit.matched}"${term}: ${what}${hit.obfuscated ? ', disguised' : ''}`;
}

/**
 * Builds a guard for the banned `concepts`. `lexicon` is the WordNet lexicon (see lexicon.ts);
 * without it only the concept, its inflections and the world vocabulary are matched.
 */
export function createGuard(concepts: readonly string[], lexicon: Lexicon | null, options: GuardOptions = {}): ConceptGuard {
  const world = options.world === undefined ? WORLD : options.world;
  const depth = options.hyponymDepth ?? Infinity;
  const allSenses = options.senses === 'all';
  const maxTerms = options.maxTermsPerConcept ?? 50_000;
  const multiwordHead = options.multiwordHead ?? true;

  const list = concepts.map((c) => c.trim()).filter((c) => phraseKey(c).length > 0);
  const map = new Map<string, Entry[]>();
  const termList: { entry: Entry; forms: string[] }[] = [];
  const termSeen = new Map<string, number>(); // `${concept}\t${key}` -> index in termList
  let maxWords = 1;
  const truncatedConcepts = new Set<number>();
  const worldConcepts = new Map<WorldValue, number[]>(); // world value -> the concepts that resolved to it

  const put = (key: string, e: Entry): void => {
    if (!key) return;
    const entries = map.get(key);
    if (!entries) {
      map.set(key, [e]);
      maxWords = Math.max(maxWords, key.split(' ').length);
      return;
    }
    const same = entries.find((x) => x.concept === e.concept);
    if (!same) entries.push(e);
    else if (VIA_RANK[e.via] < VIA_RANK[same.via]) Object.assign(same, e);
  };

  list.forEach((concept, ci) => {
    const ckey = phraseKey(concept);
    let count = 0;
    const add = (term: string, via: GuardVia, pos?: readonly PartOfSpeech[]): void => {
      const key = phraseKey(term);
      if (!key) return;
      if (via !== 'exact' && via !== 'inflection' && via !== 'world' && (STOP_WORDS.has(key) || key.length < 2)) return;
      const seenKey = `${ci}\t${key}`;
      const prev = termSeen.get(seenKey);
      if (prev !== undefined) {
        const t = termList[prev];
        if (t && VIA_RANK[via] < VIA_RANK[t.entry.via]) {
          t.entry = { concept: ci, via, term };
          put(key, { concept: ci, via, term });
        }
        return;
      }
      count++;
      const forms = /\d/.test(key) ? [] : inflections(key, pos);
      const entry: Entry = { concept: ci, via, term };
      termSeen.set(seenKey, termList.length);
      termList.push({ entry, forms });
      put(key, entry);
      for (const f of forms) put(f, { concept: ci, via: via === 'exact' ? 'inflection' : via, term });
      // "polka dot" is also written "polkadot"
      if (key.includes(' ') && key.length >= 6) put(key.replace(/ /g, ''), entry);
    };

    add(concept, 'exact');
    // lemmas of the concept: itself and its base forms that some word list knows ("kids" -> "kid")
    const words = ckey.split(' ');
    const last = words[words.length - 1] ?? '';
    const prefix = words.slice(0, -1).join(' ');
    const lemmaKeys = [ckey, ...baseForms(last).map((b) => (prefix ? `${prefix} ${b}` : b))];
    // The one reading of a concept in the world (src/core/world/resolve.ts): "teal backdrop", "spots", "lagoon".
    const worldValue = world ? resolveWorldConcept(concept, world)?.value : undefined;
    const worldValues = worldValue ? [worldValue] : [];
    if (worldValue) worldConcepts.set(worldValue, [...(worldConcepts.get(worldValue) ?? []), ci]);
    let knownToLexicon = false;

    if (lexicon) {
      const synsets = new Map<number, boolean>(); // synset -> is it a sense of the concept word itself
      const conceptWords = new Set<number>(); // the concept's own lemmas ("kids" -> "kid")
      for (const lk of lemmaKeys) {
        const ids = lexicon.lookup(lk);
        if (ids.length === 0) continue;
        if (lk !== ckey) {
          // keep a base form only if the concept really is one of its inflections: "kids" <- "kid" (noun),
          // "moving" <- "move" (verb), but not "red" <- "re" (rhenium has no past tense)
          const pos = new Set<PartOfSpeech>();
          for (const w of ids) for (const s of lexicon.senses(w)) if (s.salient) pos.add(FILE_POS[lexicon.pos(s.synset)]);
          if (!inflections(lk, [...pos]).includes(ckey)) continue;
          add(lk, 'inflection');
        }
        knownToLexicon = true;
        for (const w of ids) {
          conceptWords.add(w);
          const senses = lexicon.senses(w);
          const firstNoun = senses.find((s) => lexicon.pos(s.synset) === 'n');
          for (const s of senses) {
            if (allSenses || s.salient || s === firstNoun) synsets.set(s.synset, true);
          }
        }
      }
      // Members of the concept's own senses are all kept ("man" is a synonym of "human" even though
      // "man" mostly means an adult male); for hyponyms and satellites a word is kept only when this
      // is one of its usual senses ("type" is rarely a kind of person, "wine" rarely a kind of red).
      const covered = new Set<number>(); // every lemma covered so far
      const addMembers = (synset: number, via: GuardVia, everyMember: boolean): void => {
        const pos = [FILE_POS[lexicon.pos(synset)]];
        for (const m of lexicon.members(synset)) {
          if (!(allSenses || everyMember || m.salient)) continue;
          add(lexicon.word(m.word), via, pos);
          covered.add(m.word);
        }
      };
      const full = (): boolean => {
        if (count < maxTerms) return false;
        truncatedConcepts.add(ci);
        return true;
      };
      for (const s of synsets.keys()) {
        addMembers(s, 'synonym', true);
        for (const sat of lexicon.similar(s)) addMembers(sat, 'synonym', false);
      }
      // derivations of the concept's own words ("violent" for violence, "floral" for flower); not of
      // its synonyms' ("create" from "creature" is no animal)
      for (const w of conceptWords) {
        for (const l of lexicon.derivations(w)) {
          if (!(allSenses || l.salient)) continue;
          add(lexicon.word(l.word), 'derived');
          covered.add(l.word);
        }
      }
      // hyponyms: the whole closure, breadth first so that the safety bound cuts the most specific ones
      // ... and the members of a group with their kinds ("police" -> "policeman" -> "cop")
      const groupMembers = [...synsets.keys()].flatMap((s) => lexicon.memberSynsets(s));
      for (const m of groupMembers) addMembers(m, 'hyponym', false);
      const seen = new Set<number>([...synsets.keys(), ...groupMembers]);
      let frontier = [...synsets.keys(), ...groupMembers];
      for (let d = 0; d < depth && frontier.length > 0 && !full(); d++) {
        const next: number[] = [];
        for (const s of frontier) {
          for (const h of lexicon.hyponyms(s)) {
            if (seen.has(h)) continue;
            seen.add(h);
            next.push(h);
            addMembers(h, 'hyponym', false);
          }
          if (full()) break;
        }
        frontier = next;
      }
      // Lemmas built on a covered word whose gloss names it ("snowman", "gunman", "golden", "red wine"),
      // whichever of their senses does ("icy" mostly means cold, but an icy road shows ice); not
      // those that are kinds of another sense of the word ("pommel horse" is a gymnastic horse).
      const kindOfOtherSense = (word: number, part: number): boolean =>
        lexicon.senses(word).every((x) =>
          lexicon.hypernyms(x.synset).some((h) => !seen.has(h) && lexicon.members(h).some((m) => m.word === part)),
        );
      for (const w of covered) {
        if (full()) break;
        if (lexicon.word(w).length < MIN_PART) continue;
        for (const l of lexicon.builtOn(w)) if (!kindOfOtherSense(l.word, w)) add(lexicon.word(l.word), 'compound');
      }
    }
    for (const v of worldValues) {
      for (const w of worldPhrasesOf(v, world ?? WORLD)) add(w, 'world', v.plural.length > 0 ? ['n'] : ['a']);
    }
    if (multiwordHead && words.length > 1 && !knownToLexicon && worldValues.length === 0) {
      add(last, 'head');
    }
  });

  const conceptOf = (e: Entry): string => list[e.concept] ?? '';
  const maxN = Math.min(maxWords, 8);

  function check(text: string): GuardResult {
    const norm = normalizeText(text);
    const tokens = tokenize(norm.text);
    const hits: GuardHit[] = [];
    const covered = new Uint8Array(tokens.length);
    const trickedSpan = (a: number, b: number): boolean => {
      for (let k = a; k < b; k++) if (norm.tricked[k]) return true;
      return false;
    };
    const report = (entries: readonly Entry[], from: number, to: number, tricked: boolean, inflected: boolean): void => {
      const start = norm.starts[from] ?? 0;
      const end = norm.ends[to - 1] ?? start;
      for (const e of entries) {
        if (hits.some((h) => h.start === start && h.end === end && h.concept === conceptOf(e))) continue;
        hits.push({
          concept: conceptOf(e),
          matched: text.slice(start, end),
          start,
          end,
          via: inflected && e.via === 'exact' ? 'inflection' : e.via,
          term: e.term,
          obfuscated: tricked || trickedSpan(from, to),
        });
      }
    };

    const variantCache = new Map<number, { form: string; inflected: boolean; leet: boolean }[]>();
    const variants = (i: number): { form: string; inflected: boolean; leet: boolean }[] => {
      const cached = variantCache.get(i);
      if (cached) return cached;
      const t = tokens[i] as Token;
      const out: { form: string; inflected: boolean; leet: boolean }[] = [];
      const seen = new Set<string>();
      const push = (form: string, inflected: boolean, leet: boolean): void => {
        const f = canonicalSpelling(form);
        if (seen.has(f)) return;
        seen.add(f);
        out.push({ form: f, inflected, leet });
      };
      for (const [w, leet] of [[t.text, false] as const, ...t.leet.map((l) => [l, true] as const)]) {
        push(w, false, leet);
        for (const b of baseForms(w)) push(b, true, leet);
      }
      variantCache.set(i, out);
      return out;
    };
    const surface = (i: number): string => canonicalSpelling((tokens[i] as Token).text);

    // A hit inside a longer WordNet phrase that is not about the concept ("hot dog", "Red Sea",
    // "cocktail dress") is dropped; phrases that are about it ("red wine", "dog food") are terms.
    // An adjective in front of a common noun keeps its meaning ("a one-way street"), so it stays a hit.
    // "a red cross", "a snow-white disc": every other word names a world value, so the phrase is
    // the world's own grammar (a colour and a shape), not the name WordNet knows ("the Red Cross").
    const worldPhrase = (a: number, from: number, to: number, b: number): boolean => {
      if (!world) return false;
      for (let k = a; k < b; k++) if ((k < from || k >= to) && !resolveWorldConcept(surface(k), world)) return false;
      return true;
    };
    const insideOtherLemma = (from: number, to: number, key: string): boolean => {
      if (!lexicon) return false;
      const adjective = lexicon.lookup(key).some((w) => lexicon.senses(w).some((x) => FILE_POS[lexicon.pos(x.synset)] === 'a'));
      for (let a = Math.max(0, from - MAX_LEMMA_WORDS + 1); a <= from; a++) {
        for (let b = Math.max(to, a + 2); b <= Math.min(tokens.length, a + MAX_LEMMA_WORDS); b++) {
          if (b - a <= to - from) continue;
          if (worldPhrase(a, from, to, b)) continue;
          const head: string[] = [];
          for (let k = a; k < b - 1; k++) head.push(surface(k));
          for (const v of variants(b - 1)) {
            const phrase = [...head, v.form].join(' ');
            if (map.has(phrase)) continue;
            const lemmas = lexicon.lookup(phrase).filter((w) => phraseKey(lexicon.word(w)) === phrase);
            if (lemmas.length === 0) continue;
            // an adjective ending in the hit is a kind of it: "snow-white" is white, "sky-blue" blue
            if (b === to && lemmas.every((w) => lexicon.senses(w).every((x) => FILE_POS[lexicon.pos(x.synset)] === 'a'))) continue;
            if (b === to || !adjective || lemmas.some((w) => lexicon.isProper(w))) return true;
          }
        }
      }
      return false;
    };

    // 1. word n-grams, longest first
    for (let i = 0; i < tokens.length; ) {
      let matched = 0;
      let blocked = false;
      for (let n = Math.min(maxN, tokens.length - i); n >= 1 && matched === 0 && !blocked; n--) {
        const mid: string[] = [];
        for (let k = i + 1; k < i + n - 1; k++) mid.push(surface(k));
        const candidates: { key: string; inflected: boolean; leet: boolean }[] = [];
        if (n === 1) {
          for (const v of variants(i)) candidates.push({ key: v.form, inflected: v.inflected, leet: v.leet });
        } else {
          const first = surface(i);
          const lastS = surface(i + n - 1);
          for (const v of variants(i + n - 1)) candidates.push({ key: [first, ...mid, v.form].join(' '), inflected: v.inflected, leet: v.leet });
          for (const v of variants(i)) candidates.push({ key: [v.form, ...mid, lastS].join(' '), inflected: v.inflected, leet: v.leet });
          if (n <= 3) {
            // "sun light" -> "sunlight", "polka dot" -> "polkadot"
            const joined = [first, ...mid, lastS].join('');
            let spaced = false;
            for (let k = i; k < i + n; k++) if ((tokens[k] as Token).text.length === 1) spaced = true;
            candidates.push({ key: joined, inflected: false, leet: spaced });
            for (const b of baseForms(joined)) candidates.push({ key: b, inflected: true, leet: spaced });
          }
        }
        for (const c of candidates) {
          const entries = map.get(c.key);
          if (!entries) continue;
          if (insideOtherLemma(i, i + n, c.key)) {
            blocked = true;
            break;
          }
          const from = (tokens[i] as Token).start;
          const to = (tokens[i + n - 1] as Token).end;
          report(entries, from, to, c.leet, c.inflected);
          for (let k = i; k < i + n; k++) covered[k] = 1;
          matched = n;
          break;
        }
      }
      i += Math.max(matched, 1);
    }

    // 2. spaced-out letters: "r e d", "r.e.d", "r-e-d", "a r e d car"
    for (let i = 0; i < tokens.length; ) {
      if (!isSingleLetter(tokens[i] as Token)) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < tokens.length && isSingleLetter(tokens[j] as Token) && (tokens[j] as Token).start - (tokens[j - 1] as Token).end <= 3) j++;
      if (j - i >= 2) {
        for (let a = i; a < j; a++) {
          for (let b = Math.min(j, a + 24); b >= a + 2; b--) {
            let letters = '';
            for (let k = a; k < b; k++) letters += (tokens[k] as Token).text;
            const forms = [letters, ...baseForms(letters)];
            const hit = forms.find((f) => map.has(f));
            if (hit !== undefined) {
              report(map.get(hit) ?? [], (tokens[a] as Token).start, (tokens[b - 1] as Token).end, true, hit !== letters);
              break;
            }
          }
        }
      }
      i = j;
    }

    // 3. camelCase and run-together words written with capitals: "RedCar", "#NoRed"
    tokens.forEach((t, ti) => {
      if (covered[ti]) return;
      const oStart = norm.starts[t.start] ?? 0;
      const oEnd = norm.ends[t.end - 1] ?? oStart;
      const original = text.slice(oStart, oEnd);
      if (!/[a-z][A-Z]/.test(original)) return;
      const re = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g;
      for (let m = re.exec(original); m; m = re.exec(original)) {
        const part = phraseKey(m[0]);
        const forms = [part, ...baseForms(part)];
        const hit = forms.find((f) => map.has(f));
        if (hit === undefined) continue;
        const s = oStart + m.index;
        for (const e of map.get(hit) ?? []) {
          hits.push({
            concept: conceptOf(e),
            matched: text.slice(s, s + m[0].length),
            start: s,
            end: s + m[0].length,
            via: hit !== part && e.via === 'exact' ? 'inflection' : e.via,
            term: e.term,
            obfuscated: false,
          });
        }
      }
    });

    // 4. words WordNet does not know, read as a derivation ("snowy"-style) or a compound
    // ("dogwalker", "schoolchildren") of a covered word; the other part must be a common word
    if (lexicon) {
      const known = (w: string): boolean => [w, ...baseForms(w)].some((f) => lexicon.lookup(f).length > 0);
      const common = (w: string): boolean => [w, ...baseForms(w)].some((f) => lexicon.lookup(f).some((id) => lexicon.frequency(id) > 0));
      const coveredKey = (w: string): string | undefined => [w, ...baseForms(w)].find((f) => f.length >= MIN_PART && map.has(f));
      tokens.forEach((t, ti) => {
        if (covered[ti] || t.text.length < 2 * MIN_PART - 1 || /\d/.test(t.text)) return;
        const oStart = norm.starts[t.start] ?? 0;
        const oEnd = norm.ends[t.end - 1] ?? oStart;
        if (hits.some((h) => h.start < oEnd && h.end > oStart)) return;
        const w = canonicalSpelling(t.text);
        if (known(w)) return;
        let found: { key: string; via: GuardVia } | undefined;
        const stem = derivationalStems(w).find((f) => map.has(f));
        if (stem) found = { key: stem, via: 'derived' };
        for (let k = MIN_PART; !found && k <= w.length - MIN_PART; k++) {
          const a = w.slice(0, k);
          const b = w.slice(k);
          const kb = coveredKey(b);
          const ka = kb === undefined ? coveredKey(a) : undefined;
          if (kb !== undefined && common(a)) found = { key: kb, via: 'compound' };
          else if (ka !== undefined && common(b) && !NEGATING_PARTS.has(b)) found = { key: ka, via: 'compound' };
        }
        if (!found) return;
        const via = found.via;
        report((map.get(found.key) ?? []).map((e) => ({ ...e, via })), t.start, t.end, false, false);
      });
    }

    // 5. any other word the world's resolver reads as a banned value ("spots" for dotted, "milky"
    // for white, "nighttime" for navy): the guard and the resolver read the world alike
    if (world && worldConcepts.size > 0) {
      tokens.forEach((t, ti) => {
        // a word of the lists was looked at in step 1 already (and maybe kept out: "the Red Sea")
        if (covered[ti] || variants(ti).some((v) => map.has(v.form))) return;
        if (hits.some((h) => h.start < (norm.ends[t.end - 1] ?? 0) && h.end > (norm.starts[t.start] ?? 0))) return;
        const value = resolveWorldConcept(surface(ti), world)?.value;
        const cis = value ? worldConcepts.get(value) : undefined;
        if (cis) report(cis.map((ci) => ({ concept: ci, via: 'world' as const, term: value!.name })), t.start, t.end, false, false);
      });
    }

    hits.sort((a, b) => a.start - b.start || b.end - a.end);
    return { ok: hits.length === 0, hits };
  }

  function terms(concept?: string): GuardTerm[] {
    const ci = concept === undefined ? -1 : list.indexOf(concept.trim());
    return termList
      .filter((t) => ci < 0 || t.entry.concept === ci)
      .map((t) => ({ concept: conceptOf(t.entry), term: t.entry.term, via: t.entry.via, forms: t.forms }))
      .sort((a, b) => VIA_RANK[a.via] - VIA_RANK[b.via]);
  }

  function describe(concept: string): ConceptDescription {
    const ci = list.indexOf(concept.trim());
    if (ci < 0) {
      throw new InvalidInputError('guard-unknown-concept', `"${concept}" is not one of this guard's concepts (${list.join(', ')}).`);
    }
    const own = termList.filter((t) => t.entry.concept === ci).map((t) => t.entry);
    const freq = (term: string): number => (lexicon ? Math.max(0, ...lexicon.lookup(phraseKey(term)).map((w) => lexicon.frequency(w))) : 0);
    const ranked = own
      .filter((e) => e.via !== 'exact')
      .map((e) => ({ e, f: freq(e.term) }))
      .sort((a, b) => VIA_RANK[a.e.via] - VIA_RANK[b.e.via] || b.f - a.f);
    return {
      termCount: own.length,
      sample: ranked.slice(0, SAMPLE_SIZE).map((x) => x.e.term),
      literalOnly: own.every((e) => e.via === 'exact' || e.via === 'inflection' || e.via === 'head'),
      truncated: truncatedConcepts.has(ci),
    };
  }

  return { concepts: list, check, terms, describe, truncated: truncatedConcepts.size > 0 };
}
