/**
 * English inflection for the concept guard, in both directions:
 * - {@link inflections}: the forms of a lemma (plurals, verb forms, comparatives, a few
 *   derivations such as "reddish" and "redness");
 * - {@link baseForms}: the lemmas a written word may come from ("parrots" -> "parrot",
 *   "running" -> "run", "knives" -> "knife", "men" -> "man").
 * Both work on lower-case ASCII words. They over-generate on purpose: a candidate only matters
 * when it is in the guard's word list.
 */

export type PartOfSpeech = 'n' | 'v' | 'a' | 'r';

const IRREGULAR_PLURALS: Readonly<Record<string, string>> = {
  man: 'men', woman: 'women', child: 'children', person: 'people', mouse: 'mice', louse: 'lice',
  goose: 'geese', foot: 'feet', tooth: 'teeth', ox: 'oxen', die: 'dice', leaf: 'leaves', wolf: 'wolves',
  knife: 'knives', life: 'lives', wife: 'wives', half: 'halves', calf: 'calves', elf: 'elves',
  shelf: 'shelves', loaf: 'loaves', thief: 'thieves', sheaf: 'sheaves', scarf: 'scarves', hoof: 'hooves',
  cactus: 'cacti', fungus: 'fungi', nucleus: 'nuclei', radius: 'radii', stimulus: 'stimuli',
  alumnus: 'alumni', octopus: 'octopi', criterion: 'criteria', phenomenon: 'phenomena',
  analysis: 'analyses', crisis: 'crises', thesis: 'theses', index: 'indices', matrix: 'matrices',
  appendix: 'appendices', vertex: 'vertices', formula: 'formulae', larva: 'larvae', antenna: 'antennae',
  tomato: 'tomatoes', potato: 'potatoes', hero: 'heroes', echo: 'echoes', volcano: 'volcanoes',
  mosquito: 'mosquitoes', torpedo: 'torpedoes', veto: 'vetoes', buffalo: 'buffaloes', domino: 'dominoes',
  datum: 'data', medium: 'media', bacterium: 'bacteria', curriculum: 'curricula', genus: 'genera',
  corpus: 'corpora', quiz: 'quizzes', bus: 'buses', gas: 'gases', axis: 'axes', ellipsis: 'ellipses',
  penny: 'pence', dwarf: 'dwarves', staff: 'staves',
};

/** Nouns whose plural is the singular (also listed as their own plural). */
const INVARIANT = new Set([
  'sheep', 'deer', 'fish', 'moose', 'series', 'species', 'aircraft', 'salmon', 'trout', 'swine', 'bison',
  'offspring', 'squid', 'shrimp', 'cod', 'elk', 'spacecraft', 'hovercraft', 'news', 'means', 'scissors',
]);

/** "-man" nouns that take a plain "s". */
const MAN_S = new Set(['human', 'german', 'roman', 'shaman', 'talisman', 'caiman', 'ottoman', 'walkman', 'cayman', 'doberman']);

const IRREGULAR_VERBS: Readonly<Record<string, readonly string[]>> = {
  be: ['am', 'is', 'are', 'was', 'were', 'been', 'being'], have: ['has', 'had', 'having'],
  do: ['does', 'did', 'done', 'doing'], go: ['goes', 'went', 'gone', 'going'], run: ['ran'],
  swim: ['swam', 'swum'], fly: ['flew', 'flown', 'flies'], eat: ['ate', 'eaten'], sit: ['sat'],
  stand: ['stood'], lie: ['lay', 'lain', 'lying'], lay: ['laid'], ride: ['rode', 'ridden'],
  drive: ['drove', 'driven'], write: ['wrote', 'written'], see: ['saw', 'seen'], take: ['took', 'taken'],
  give: ['gave', 'given'], fall: ['fell', 'fallen'], break: ['broke', 'broken'], speak: ['spoke', 'spoken'],
  sing: ['sang', 'sung'], drink: ['drank', 'drunk'], begin: ['began', 'begun'], ring: ['rang', 'rung'],
  sink: ['sank', 'sunk'], spring: ['sprang', 'sprung'], wear: ['wore', 'worn'], tear: ['tore', 'torn'],
  bear: ['bore', 'borne', 'born'], swear: ['swore', 'sworn'], grow: ['grew', 'grown'], know: ['knew', 'known'],
  throw: ['threw', 'thrown'], blow: ['blew', 'blown'], draw: ['drew', 'drawn'], show: ['showed', 'shown'],
  hide: ['hid', 'hidden'], bite: ['bit', 'bitten'], shake: ['shook', 'shaken'], wake: ['woke', 'woken'],
  freeze: ['froze', 'frozen'], choose: ['chose', 'chosen'], steal: ['stole', 'stolen'], get: ['got', 'gotten'],
  forget: ['forgot', 'forgotten'], come: ['came'], become: ['became'], make: ['made'], say: ['said'],
  tell: ['told'], sell: ['sold'], find: ['found'], think: ['thought'], bring: ['brought'], buy: ['bought'],
  fight: ['fought'], catch: ['caught'], teach: ['taught'], seek: ['sought'], feel: ['felt'], keep: ['kept'],
  sleep: ['slept'], sweep: ['swept'], leave: ['left'], mean: ['meant'], meet: ['met'], lead: ['led'],
  feed: ['fed'], bleed: ['bled'], hold: ['held'], build: ['built'], send: ['sent'], spend: ['spent'],
  bend: ['bent'], lend: ['lent'], lose: ['lost'], shoot: ['shot'], light: ['lit'], slide: ['slid'],
  win: ['won'], dig: ['dug'], hang: ['hung'], swing: ['swung'], stick: ['stuck'], strike: ['struck'],
  spin: ['spun'], cling: ['clung'], hear: ['heard'], pay: ['paid'], shine: ['shone'], smell: ['smelt'],
  burn: ['burnt'], dream: ['dreamt'], kneel: ['knelt'], leap: ['leapt'], spell: ['spelt'], spill: ['spilt'],
  dive: ['dove'], weave: ['wove', 'woven'], arise: ['arose', 'arisen'], rise: ['rose', 'risen'],
  forgive: ['forgave', 'forgiven'], undergo: ['underwent', 'undergone'],
};

const IRREGULAR_ADJECTIVES: Readonly<Record<string, readonly string[]>> = {
  good: ['better', 'best'], bad: ['worse', 'worst'], far: ['farther', 'farthest', 'further', 'furthest'],
  little: ['less', 'least'], many: ['more', 'most'], much: ['more', 'most'], old: ['elder', 'eldest'],
};

const VOWEL = /[aeiou]/;

/** Own-property lookup (words like "constructor" must not reach Object.prototype). */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Doubles the final consonant of short CVC words: "run" -> "runn", "red" -> "redd". */
function doubled(word: string): string | undefined {
  if (word.length < 3 || word.length > 5) return undefined;
  const [a, b, c] = [word.at(-3), word.at(-2), word.at(-1)];
  if (a === undefined || b === undefined || c === undefined) return undefined;
  if (!VOWEL.test(a) && VOWEL.test(b) && !VOWEL.test(c) && !/[wxy]/.test(c)) return word + c;
  return undefined;
}

/** The plural(s) of a noun. */
export function pluralize(noun: string): string[] {
  if (INVARIANT.has(noun)) return [noun];
  const irregular = own(IRREGULAR_PLURALS, noun);
  const out: string[] = [];
  if (irregular) out.push(irregular);
  if (noun.endsWith('man') && noun.length > 3 && !MAN_S.has(noun)) out.push(noun.slice(0, -3) + 'men');
  if (/(s|x|z|ch|sh)$/.test(noun)) out.push(noun + 'es');
  else if (/[^aeiou]y$/.test(noun)) out.push(noun.slice(0, -1) + 'ies');
  else if (/[^aeiou]o$/.test(noun)) out.push(noun + 's', noun + 'es');
  else out.push(noun + 's');
  if (/(?:[^f]f|fe)$/.test(noun) && !irregular) out.push(noun.replace(/fe?$/, 'ves'));
  return [...new Set(out)];
}

/** -s, -ing and -ed forms of a verb (plus irregular ones). */
export function verbForms(verb: string): string[] {
  const out = [...(own(IRREGULAR_VERBS, verb) ?? [])];
  if (/(s|x|z|ch|sh|o)$/.test(verb)) out.push(verb + 'es');
  else if (/[^aeiou]y$/.test(verb)) out.push(verb.slice(0, -1) + 'ies');
  else out.push(verb + 's');
  const dbl = doubled(verb);
  if (verb.endsWith('ie')) out.push(verb.slice(0, -2) + 'ying');
  else if (/[^aeiou]e$/.test(verb) || (verb.endsWith('e') && !/(ee|ye|oe)$/.test(verb))) out.push(verb.slice(0, -1) + 'ing');
  else out.push(verb + 'ing');
  if (dbl) out.push(dbl + 'ing', dbl + 'ed');
  if (verb.endsWith('e')) out.push(verb + 'd');
  else if (/[^aeiou]y$/.test(verb)) out.push(verb.slice(0, -1) + 'ied');
  else out.push(verb + 'ed');
  return [...new Set(out)];
}

/** Comparative, superlative and the common derivations -ish / -ness of an adjective. */
export function adjectiveForms(adj: string): string[] {
  const out = [...(own(IRREGULAR_ADJECTIVES, adj) ?? [])];
  const dbl = doubled(adj);
  let stem = adj;
  if (/[^aeiou]y$/.test(adj)) stem = adj.slice(0, -1) + 'i';
  else if (dbl) stem = dbl;
  if (adj.endsWith('e')) out.push(adj + 'r', adj + 'st');
  else out.push(stem + 'er', stem + 'est');
  if (!adj.endsWith('e')) out.push(stem + 'ish');
  // no -ly: adverbs rarely show the concept and often mean something else ("largely", "hardly")
  const plain = /[^aeiou]y$/.test(adj) ? adj.slice(0, -1) + 'i' : adj;
  out.push(plain + 'ness');
  return [...new Set(out)];
}

/** All inflected forms of a lemma for the given parts of speech (all of them by default). */
export function inflections(lemma: string, pos: readonly PartOfSpeech[] = ['n', 'v', 'a']): string[] {
  const parts = lemma.split(' ');
  const out = new Set<string>();
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  const head = parts.slice(0, -1).join(' ');
  const tail = parts.slice(1).join(' ');
  const withLast = (w: string): string => (head ? `${head} ${w}` : w);
  const withFirst = (w: string): string => (tail ? `${w} ${tail}` : w);
  if (pos.includes('n')) for (const f of pluralize(last)) out.add(withLast(f));
  if (pos.includes('v')) for (const f of verbForms(first)) out.add(withFirst(f));
  if (pos.includes('a') && parts.length === 1) for (const f of adjectiveForms(lemma)) out.add(f);
  out.delete(lemma);
  return [...out];
}

let reverseIrregular: Map<string, string[]> | undefined;
function irregularBases(word: string): readonly string[] {
  if (!reverseIrregular) {
    reverseIrregular = new Map();
    const add = (form: string, base: string): void => {
      const list = reverseIrregular?.get(form) ?? [];
      list.push(base);
      reverseIrregular?.set(form, list);
    };
    for (const [base, plural] of Object.entries(IRREGULAR_PLURALS)) add(plural, base);
    for (const [base, forms] of Object.entries(IRREGULAR_VERBS)) for (const f of forms) add(f, base);
    for (const [base, forms] of Object.entries(IRREGULAR_ADJECTIVES)) for (const f of forms) add(f, base);
  }
  return reverseIrregular.get(word) ?? [];
}

/** Removes a doubled final consonant: "runn" -> "run". */
function undouble(stem: string): string | undefined {
  const a = stem.at(-1);
  return a !== undefined && stem.at(-2) === a && !VOWEL.test(a) ? stem.slice(0, -1) : undefined;
}

/** Second parts that say "without": a compound ending in one is not about its first part ("childproof", "hairless"). */
export const NEGATING_PARTS: ReadonlySet<string> = new Set(['proof', 'less', 'free']);

/** Derivational suffixes and what the stem ended with: "snowy" <- "snow", "icy" <- "ice", "golden" <- "gold". */
const DERIVATIONS: readonly (readonly [suffix: string, ...endings: string[]])[] = [
  ['iness', 'y'], ['ness', ''], ['ish', '', 'e'], ['ied', 'y'], ['ed', '', 'e'],
  ['en', '', 'e'], ['ey', ''], ['ous', ''], ['ier', 'y'], ['er', '', 'e'], ['y', '', 'e'],
];

/**
 * Stems a word may be derived from by a common suffix: -y/-ey adjectives ("snowy", "smoky", "muddy"),
 * -en ("golden", "wooden"), -ed ("spotted", "bearded"), -ish, -ness, -ous ("dangerous") and
 * -er agent nouns ("smoker", "swimmer"). Stems have at least 3 letters. Over-generates like
 * {@link baseForms}; callers keep the stems their word list knows.
 */
export function derivationalStems(word: string): string[] {
  const out = new Set<string>();
  for (const [suffix, ...endings] of DERIVATIONS) {
    if (!word.endsWith(suffix)) continue;
    const stem = word.slice(0, -suffix.length);
    if (stem.length < 2) continue;
    for (const e of endings) out.add(stem + e);
    const u = undouble(stem);
    if (u) out.add(u);
  }
  out.delete(word);
  return [...out].filter((w) => w.length >= 3);
}

/**
 * The lemmas `word` may be an inflection of (not including `word` itself). Over-generates:
 * "boxes" -> ["boxe", "box"]; callers keep the candidates their word list knows.
 */
export function baseForms(word: string): string[] {
  const out = new Set<string>(irregularBases(word));
  if (word.endsWith('men') && word.length > 4) out.add(word.slice(0, -3) + 'man');
  const stripped = (suffix: string, ...endings: string[]): void => {
    if (!word.endsWith(suffix) || word.length - suffix.length < 2) return;
    const stem = word.slice(0, -suffix.length);
    for (const e of endings) out.add(stem + e);
    const u = undouble(stem);
    if (u) out.add(u);
  };
  stripped('ies', 'y', 'ie');
  stripped('ves', 'f', 'fe');
  stripped('es', '', 'e');
  if (!/(ss|us|is)$/.test(word)) stripped('s', '');
  stripped('i', 'us');
  stripped('ae', 'a');
  stripped('ing', '', 'e');
  stripped('ying', 'ie');
  stripped('ied', 'y');
  stripped('ed', '', 'e');
  stripped('d', '');
  stripped('ier', 'y');
  stripped('iest', 'y');
  stripped('er', '', 'e');
  stripped('est', '', 'e');
  stripped('ish', '', 'e');
  stripped('ness', '');
  stripped('iness', 'y');
  // elongations: "reeed" -> "red", "gooood" -> "good"
  if (/(.)\1\1/.test(word)) {
    out.add(word.replace(/(.)\1+/g, '$1'));
    out.add(word.replace(/(.)\1{2,}/g, '$1$1'));
  }
  out.delete(word);
  return [...out].filter((w) => w.length >= 2);
}
