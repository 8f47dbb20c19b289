import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, ModelLoadError } from '../../src/core/errors.ts';
import { createGuard, describeHit, splitConcepts, type ConceptGuard } from '../../src/core/guard/guard.ts';
import { baseForms, derivationalStems, inflections, pluralize, verbForms } from '../../src/core/guard/inflect.ts';
import { LEXICON_VERSION, parseLexicon, type Lexicon } from '../../src/core/guard/lexicon.ts';
import { leetReadings, normalizeText, phraseKey, tokenize } from '../../src/core/guard/normalize.ts';
import { WORLD } from '../../src/core/world/vocabulary.ts';
import { repoRoot, testLexicon } from './helpers/fakeChatEngine.ts';

let lex: Lexicon;
beforeAll(() => {
  lex = testLexicon();
});

const matched = (g: ConceptGuard, text: string): string[] => g.check(text).hits.map((h) => h.matched);

describe('normalize', () => {
  it('folds case, compatibility forms, accents and look-alike letters, keeping offsets', () => {
    const input = 'ＲＥＤ 𝐫𝐞𝐝 rеd Réd ⓡⓔⓓ 🇷🇪🇩';
    const n = normalizeText(input);
    expect(tokenize(n.text).map((t) => t.text)).toEqual(['red', 'red', 'red', 'red', 'red', 'red']);
    for (const t of tokenize(n.text)) {
      const original = input.slice(n.starts[t.start], n.ends[t.end - 1]);
      expect(original.length).toBeGreaterThan(0);
      expect(Array.from(n.tricked.subarray(t.start, t.end)).some((x) => x === 1)).toBe(true);
    }
  });

  it('removes zero-width and invisible characters', () => {
    const n = normalizeText('r\u200Be\u200Dd\u00AD car\uFEFF');
    expect(n.text).toBe('red car');
    expect(n.tricked[0]).toBe(1);
  });

  it('tokenizes words: apostrophes dropped, hyphens split, leet only inside words', () => {
    expect(tokenize("the dog's polka-dot r3d b!rd, hi!").map((t) => t.text)).toEqual(['the', 'dogs', 'polka', 'dot', 'r3d', 'b!rd', 'hi']);
    expect(leetReadings('r3d')).toEqual(['red']);
    expect(leetReadings('b1rd')).toContain('bird');
    expect(leetReadings('1999')).toEqual([]);
    expect(phraseKey('Tomato-Coloured')).toBe('tomato colored');
  });
});

describe('inflect', () => {
  it('generates plurals, verb forms and adjective forms', () => {
    expect(pluralize('parrot')).toEqual(['parrots']);
    expect(pluralize('box')).toEqual(['boxes']);
    expect(pluralize('lady')).toEqual(['ladies']);
    expect(pluralize('man')).toContain('men');
    expect(pluralize('knife')).toContain('knives');
    expect(pluralize('sheep')).toEqual(['sheep']);
    expect(verbForms('run')).toEqual(expect.arrayContaining(['runs', 'running', 'ran']));
    expect(verbForms('move')).toEqual(expect.arrayContaining(['moves', 'moving', 'moved']));
    expect(inflections('red')).toEqual(expect.arrayContaining(['reds', 'redder', 'reddest', 'reddish', 'redness']));
    expect(inflections('golden retriever', ['n'])).toEqual(['golden retrievers']);
  });

  it('finds base forms of inflected words', () => {
    expect(baseForms('parrots')).toContain('parrot');
    expect(baseForms('running')).toContain('run');
    expect(baseForms('knives')).toContain('knife');
    expect(baseForms('men')).toContain('man');
    expect(baseForms('children')).toContain('child');
    expect(baseForms('ladies')).toContain('lady');
    expect(baseForms('reeeed')).toContain('red');
  });
});

describe('lexicon', () => {
  it('loads the built WordNet file with its declared counts', () => {
    const file = JSON.parse(readFileSync(repoRoot + 'public/guard/lexicon.json', 'utf8')) as { counts: { words: number; synsets: number } };
    expect(lex.wordCount).toBe(file.counts.words);
    expect(lex.synsetCount).toBe(file.counts.synsets);
    expect(lex.wordCount).toBeGreaterThan(100_000);
    expect(lex.source).toMatch(/WordNet 3\.1/);
  });

  it('looks lemmas up by key, with hyphen/space/joined variants', () => {
    const dog = lex.lookup('dog');
    expect(dog).toHaveLength(1);
    const first = lex.senses(dog[0] as number)[0];
    expect(first?.salient).toBe(true);
    expect(lex.members(first?.synset as number).map((m) => lex.word(m.word))).toContain('domestic dog');
    expect(lex.lookup('oneway').map((w) => lex.word(w))).toContain('one-way');
    expect(lex.lookup('stainless steel').length).toBeGreaterThan(0);
    expect(lex.lookup('constructor').length).toBe(1); // no Object.prototype leaks
  });

  it('rejects a file that is not a lexicon', () => {
    expect(() => parseLexicon({ format: 'something-else' })).toThrow(ModelLoadError);
    expect(() => parseLexicon(`{"format":"ores-guard-lexicon","version":${LEXICON_VERSION}}`)).toThrow(/field "words" is missing/);
    expect(() => parseLexicon({ format: 'ores-guard-lexicon', version: 1 })).toThrow(/v1/); // the old format is refused
  });
});

describe('concept guard', () => {
  it('matches the concept with any case, plural and inflection', () => {
    const g = createGuard(['bird'], lex);
    expect(g.check('a photo of a BIRD').hits[0]).toMatchObject({ concept: 'bird', matched: 'BIRD', via: 'exact' });
    expect(g.check('two Birds').hits[0]).toMatchObject({ matched: 'Birds', via: 'inflection' });
    const moving = createGuard(['moving'], lex);
    expect(matched(moving, 'it moves, it moved')).toEqual(['moves', 'moved']);
    const kids = createGuard(['kids'], lex);
    expect(kids.check('a kid').hits[0]).toMatchObject({ matched: 'kid', via: 'inflection' });
  });

  it('matches WordNet synonyms and hyponyms', () => {
    const red = createGuard(['red'], lex, { world: null });
    expect(red.check('a carmine car').hits[0]).toMatchObject({ via: 'synonym', term: 'carmine' });
    const large = createGuard(['large'], lex, { world: null });
    expect(large.check('a big house').hits[0]).toMatchObject({ via: 'synonym' });
    expect(large.check('a huge house').hits[0]).toMatchObject({ via: 'synonym', term: 'huge' });
    const bird = createGuard(['bird'], lex);
    expect(bird.check('a parrot on a branch').hits[0]).toMatchObject({ via: 'hyponym', term: 'parrot' });
    expect(bird.check('three eagles').hits[0]).toMatchObject({ via: 'hyponym', matched: 'eagles' });
    const dog = createGuard(['dog'], lex);
    expect(matched(dog, 'a Golden Retriever next to a Siberian Husky')).toEqual(['Golden Retriever', 'Siberian Husky']);
    expect(dog.check('a golden retriever').hits[0]?.via).toBe('hyponym');
    const human = createGuard(['human'], lex);
    expect(matched(human, 'a man relaxing on the beach')).toEqual(['man']);
  });

  it('matches the embedded world: direct words, plurals and implicit phrases', () => {
    const red = createGuard(['red'], lex);
    expect(red.check('a crimson circle').hits[0]).toMatchObject({ via: 'world', term: 'crimson' });
    expect(red.check('a circle the colour of a ripe strawberry').hits[0]).toMatchObject({ via: 'world', matched: 'the colour of a ripe strawberry' });
    expect(red.check('a tomato colored square').hits[0]?.via).toBe('world'); // American spelling, space for the hyphen
    const circle = createGuard(['circle'], lex);
    expect(matched(circle, 'two discs and some round things')).toEqual(['discs', 'round things']);
    // the world alone, without WordNet
    const noLex = createGuard(['crimson'], null);
    expect(matched(noLex, 'a red and scarlet square')).toEqual(['red', 'scarlet']);
  });

  it('sees through hyphen/space variants', () => {
    const g = createGuard(['polka-dot'], lex);
    expect(matched(g, 'a polka dot dress, a polkadot tie, polka-dots')).toEqual(['polka dot', 'polkadot', 'polka-dots']);
    const steel = createGuard(['stainless-steel'], lex);
    expect(steel.check('a stainless steel fridge').ok).toBe(false);
    const oneway = createGuard(['oneway'], lex);
    expect(oneway.check('a one-way street').ok).toBe(false);
    const sun = createGuard(['sunlight'], lex);
    expect(sun.check('in the sun light').ok).toBe(false);
  });

  it('reads a capital I inside a lower-case word as an l', () => {
    const hit = createGuard(['blue'], lex).check('a bIue car').hits[0];
    expect(hit).toMatchObject({ matched: 'bIue', obfuscated: true });
    expect(createGuard(['red'], lex).check('McIntosh apples').ok).toBe(true);
  });

  it('does not count a lemma whose gloss names the concept only as its purpose', () => {
    // "a holder with sockets for candles", "... used to store boats": a picture shows neither
    expect(createGuard(['candle'], lex).check('a brass candlestick').ok).toBe(true);
    expect(createGuard(['boat'], lex).check('a boathouse by the river').ok).toBe(true);
    // "a figure of a person made of packed snow": a snowman is snow
    expect(createGuard(['snow'], lex).check('a snowman').ok).toBe(false);
  });

  it('sees through confusables, invisible characters, leetspeak and spacing tricks', () => {
    const g = createGuard(['red'], lex);
    const tricks = ['a rеd car', 'a ＲＥＤ car', 'a r\u200Bed car', 'a 𝐫𝐞𝐝 car', 'a r3d car', 'a r e d car', 'a r.e.d car', 'a r-e-d car', 'a R_E_D car', 'a r e d d i s h car'];
    for (const t of tricks) {
      const r = g.check(t);
      expect(r.ok, t).toBe(false);
      expect(r.hits[0]?.obfuscated, t).toBe(true);
    }
    expect(createGuard(['bird'], lex).check('a b i r d').hits[0]).toMatchObject({ matched: 'b i r d', obfuscated: true });
    expect(g.check('a ScarletCar').hits[0]?.matched).toBe('Scarlet'); // camelCase
  });

  it('reports original offsets for highlighting', () => {
    const g = createGuard(['dog', 'red'], lex);
    const text = 'A big r\u200Bed ball and two Labrador Retrievers';
    const r = g.check(text);
    expect(r.hits.map((h) => [h.concept, h.matched])).toEqual([
      ['red', 'r\u200Bed'],
      ['dog', 'Labrador Retrievers'],
    ]);
    for (const h of r.hits) expect(text.slice(h.start, h.end)).toBe(h.matched);
    expect(describeHit(r.hits[1]!)).toMatch(/a kind of "dog"/);
  });

  it('does not flag unrelated words that merely contain the concept', () => {
    const red = createGuard(['red'], lex);
    expect(red.check('a shredded, bored, tired man with credit and hatred; Fred sacred covered').ok).toBe(true);
    expect(red.check('a blue square on a teal background').ok).toBe(true);
    const dog = createGuard(['dog'], lex);
    expect(dog.check('a cat chasing a ball, dogma, a bulldozer').ok).toBe(true);
    const bird = createGuard(['bird'], lex);
    expect(bird.check('a photo of a church').ok).toBe(true);
  });

  it('exposes word lists covering synonyms, plurals and world words', () => {
    const g = createGuard(['red', 'dog'], lex);
    const red = g.terms('red');
    const terms = new Map(red.map((t) => [t.term, t]));
    expect(terms.get('red')?.via).toBe('exact');
    expect(terms.get('red')?.forms).toEqual(expect.arrayContaining(['reds', 'redder']));
    expect(terms.get('crimson')?.via).toBe('world');
    expect(terms.get('the colour of a ripe strawberry')?.via).toBe('world');
    expect(terms.get('carmine')?.via).toBe('synonym');
    const dog = new Map(g.terms('dog').map((t) => [t.term, t]));
    expect(dog.get('dog')?.forms).toContain('dogs');
    expect(dog.get('golden retriever')?.forms).toContain('golden retrievers');
    expect(dog.get('domestic dog')?.via).toBe('synonym');
    // minor senses stay out by default ("dog" as a frankfurter), and come in with senses: 'all'
    expect(dog.has('frankfurter')).toBe(false);
    expect(createGuard(['dog'], lex, { senses: 'all' }).check('a frankfurter').ok).toBe(false);
  });

  it('expands an unknown multi-word concept to its head word', () => {
    // outside the embedded world (in it, "neon green" is the colour green: see compiled-policy.test.ts)
    const g = createGuard(['neon green'], lex, { world: null });
    expect(g.check('a neon green sign').hits[0]?.via).toBe('exact');
    expect(g.check('a green sign').hits[0]?.via).toBe('head');
    expect(createGuard(['neon green'], lex, { world: null, multiwordHead: false }).check('a green sign').ok).toBe(true);
    expect(createGuard(['neon green'], lex).check('a crimson sign').ok).toBe(true);
    expect(createGuard(['neon green'], lex).check('an emerald sign').hits[0]?.via).toBe('world');
  });

  it('splits concept fields and ignores empty concepts', () => {
    expect(splitConcepts('labrador, moving; red ,')).toEqual(['labrador', 'moving', 'red']);
    expect(createGuard(['', '  '], lex).check('anything').ok).toBe(true);
  });

  it('reads the embedded world vocabulary', () => {
    const w = WORLD;
    expect(w.attributes).toEqual(expect.arrayContaining(['colour', 'shape']));
    const red = w.values.find((v: (typeof w.values)[number]) => v.name === 'red');
    expect(red?.words[0]).toBe('red');
    expect(red?.rgb).toHaveLength(3);
  });
});

describe('lexical resolution (issue 10)', () => {
  const words = (ids: readonly { word: number }[]): string[] => ids.map((l) => lex.word(l.word));
  const id = (w: string): number => lex.lookup(w)[0] as number;

  it('finds the stems of derived words', () => {
    for (const [word, stem] of [['snowy', 'snow'], ['smoky', 'smoke'], ['icy', 'ice'], ['golden', 'gold'], ['muddy', 'mud'], ['spotted', 'spot'], ['dangerous', 'danger'], ['smoker', 'smoke'], ['greenish', 'green']]) {
      expect(derivationalStems(word as string), word).toContain(stem);
    }
    expect(derivationalStems('largely')).not.toContain('large'); // adverbs are left alone
    expect(inflections('large')).not.toContain('largely');
  });

  it('stores derivations, gloss-checked parts, group members and names in the lexicon', () => {
    expect(words(lex.derivations(id('violence')))).toContain('violent');
    expect(words(lex.derivations(id('floral')))).toContain('flower');
    expect(words(lex.parts(id('snowman')))).toContain('snow');
    expect(words(lex.parts(id('hotdog')))).not.toContain('dog'); // no gloss of "hotdog" says dog
    expect(words(lex.parts(id('childproof')))).not.toContain('child'); // "-proof" means without
    expect(words(lex.builtOn(id('gun')))).toContain('gunman');
    const police = lex.senses(id('police'))[0]!.synset;
    expect(lex.memberSynsets(police).flatMap((s) => lex.members(s).map((m) => lex.word(m.word)))).toContain('policeman');
    expect(lex.isProper(id('red sea'))).toBe(true);
    expect(lex.isProper(id('red wine'))).toBe(false);
  });

  it('follows the whole hyponym closure unless a depth is given', () => {
    expect(createGuard(['animal'], lex).check('a great white shark').hits[0]).toMatchObject({ matched: 'great white shark', via: 'hyponym' });
    expect(createGuard(['animal'], lex, { hyponymDepth: 6 }).check('a great white shark').ok).toBe(true); // 7 levels down
    expect(createGuard(['police'], lex).check('cops at the scene').hits[0]?.term).toBe('cop'); // a member of the group
  });

  it('matches derived words and compounds of covered words', () => {
    expect(createGuard(['violence'], lex).check('a violent brawl').hits[0]).toMatchObject({ matched: 'violent', via: 'derived' });
    expect(createGuard(['ice'], lex).check('an icy road').hits[0]).toMatchObject({ matched: 'icy', via: 'compound' });
    expect(createGuard(['snow'], lex).check('a snowman in the yard').hits[0]).toMatchObject({ matched: 'snowman', via: 'compound' });
    const dog = createGuard(['dog'], lex);
    // not WordNet lemmas: read as compounds whose other part is a common word
    expect(dog.check('a dogwalker with six leashes').hits[0]).toMatchObject({ matched: 'dogwalker', via: 'compound' });
    expect(createGuard(['child'], lex).check('schoolchildren on a trip').hits[0]).toMatchObject({ matched: 'schoolchildren', via: 'compound' });
    expect(createGuard(['tiger'], lex).check('tigery stripes').hits[0]).toMatchObject({ matched: 'tigery', via: 'derived' }); // not in WordNet
  });

  it('does not flag near-misses built on the word', () => {
    const dog = createGuard(['dog'], lex);
    expect(dog.check('a hotdog stand, a hot dog with mustard, the dog days of summer, a dogwood tree').ok).toBe(true);
    expect(dog.check('hot dogs and a dog').hits.map((h) => h.matched)).toEqual(['dog']);
    const red = createGuard(['red'], lex, { world: null });
    expect(red.check('a redwood forest, Reddit, a hundred balloons, a boat on the Red Sea').ok).toBe(true);
    expect(red.check('a glass of red wine').hits[0]?.matched).toBe('red wine'); // its gloss says red
    expect(createGuard(['horse'], lex).check('a seahorse and a pommel horse').ok).toBe(true);
    expect(createGuard(['alcohol'], lex).check('a cocktail dress at a gala').ok).toBe(true);
  });

  it('describes what each concept resolved to', () => {
    const g = createGuard(['red', 'zorblax'], lex);
    const red = g.describe('red');
    expect(red.literalOnly).toBe(false);
    expect(red.termCount).toBe(g.terms('red').length);
    expect(red.sample).toContain('crimson');
    expect(red.sample.length).toBeLessThanOrEqual(8);
    expect(g.describe('zorblax')).toEqual({ termCount: 1, sample: [], literalOnly: true, truncated: false });
    expect(() => g.describe('blue')).toThrow(InvalidInputError);
    const bounded = createGuard(['entity'], lex, { maxTermsPerConcept: 500 });
    expect(bounded.describe('entity').truncated).toBe(true);
    expect(bounded.truncated).toBe(true);
    expect(g.truncated).toBe(false);
  });
});

