import { beforeAll, describe, expect, it } from 'vitest';
import type { Lexicon } from '../../src/core/guard/lexicon.ts';
import { worldConceptOf } from '../../src/core/judge/worldJudge.ts';
import { compilePolicy, LAYOUT_SWITCH_STEP } from '../../src/core/policy/compile.ts';
import { fallbackRewrite } from '../../src/core/rewrite/fallbackRewriter.ts';
import { readDataBlock } from '../../src/core/rewrite/prompt.ts';
import { createLlmRewriter } from '../../src/core/rewrite/llmRewriter.ts';
import { resolveWorldConcept, worldPhrasesOf } from '../../src/core/world/resolve.ts';
import { WORLD, type WorldValue } from '../../src/core/world/vocabulary.ts';
import { FakeChatEngine, testLexicon } from './helpers/fakeChatEngine.ts';

let lex: Lexicon;
beforeAll(() => {
  lex = testLexicon();
});

/** Attribute words an administrator may add to a value ("teal backdrop", "green shade"). */
const ATTRIBUTE_PHRASINGS: Record<string, (w: string) => string[]> = {
  colour: (w) => [`${w} colour`, `${w} shade`, `the colour ${w}`, `${w}-coloured objects`],
  shape: (w) => [`${w} shape`, `${w} shapes`, `${w}-shaped objects`],
  background: (w) => [`${w} background`, `${w} backdrop`, `a ${w} backdrop`],
  pattern: (w) => [`${w} pattern`, `${w} patterns`],
  size: (w) => [`${w} size`, ...(w.endsWith('sized') ? [] : [`${w}-sized things`])],
  count: (w) => [`${w} objects`, `${w} things`],
};

/** Every way the vocabulary itself writes a value, plus each word with its attribute words. */
function phrasings(v: WorldValue): string[] {
  return [v.name, ...v.words, ...v.plural, ...v.implicit, ...v.words.flatMap((w) => ATTRIBUTE_PHRASINGS[v.attribute]!(w))];
}

/** A caption that shows the value by its canonical word, in the world's own grammar. */
function captionShowing(v: WorldValue): string {
  switch (v.attribute) {
    case 'colour':
      return `a ${v.words[0]} circle on a gray background`;
    case 'shape':
      return `a blue ${v.words[0]} on a beige background`;
    case 'background':
      return `a red circle on a ${v.words[0]} background`;
    case 'pattern':
      return `a ${v.words[0]} green square on a gray background`;
    case 'size':
      return `a ${v.words[0]} yellow triangle on a teal background`;
    case 'count':
      return v.name === 'one' ? 'a single pink diamond on a navy background' : 'two pink diamonds on a navy background';
  }
}

describe('one reading of a concept: resolver, guard, rewriter and judge agree (whole vocabulary)', () => {
  for (const v of WORLD.values) {
    it(`${v.attribute} ${v.name}: every phrasing resolves to it everywhere`, () => {
      for (const p of phrasings(v)) {
        expect(resolveWorldConcept(p)?.value, `resolver: "${p}"`).toBe(v);
        const judged = worldConceptOf(p);
        expect([judged.attribute, judged.value], `judge: "${p}"`).toEqual([v.attribute, v.name]);
        const policy = compilePolicy([p], { lexicon: lex });
        expect(policy.concepts[0]!.world, `policy: "${p}"`).toBe(v);
        // the guard built for this phrasing catches every way the world writes the value, and every
        // key the resolver reads it by ("tomato" from "tomato-coloured", "carrot" from "the colour of a carrot")
        for (const shown of [...v.words, ...v.plural, ...v.implicit, ...worldPhrasesOf(v)]) {
          expect(policy.guard.check(`look: ${shown}`).ok, `guard for "${p}" on "${shown}"`).toBe(false);
        }
        // the fallback rewriter removes it, and what it writes instead is another value of the attribute
        const out = fallbackRewrite(captionShowing(v), [p], { lexicon: lex }, policy.guard);
        expect(policy.guard.check(out.rewritten).ok, `rewrite of "${captionShowing(v)}" for "${p}": "${out.rewritten}"`).toBe(true);
        for (const r of out.replacements.filter((x) => x.reason === 'world-value')) {
          expect(resolveWorldConcept(r.to)?.value.attribute).toBe(v.attribute);
          expect(resolveWorldConcept(r.to)?.value).not.toBe(v);
        }
      }
    });
  }

  it.each([
    ['red', 'a bright tomato circle'],
    ['red', 'a fire-engine square'],
    ['white', 'a snow-white disc'],
    ['blue', 'a circle by the ocean'],
    ['teal background', 'a square by the lagoon'],
    ['cross', 'two red crosses on a gray background'],
    ['dotted', 'a red circle with spots'],
    ['white', 'a milky square'],
    ['striped', 'a zebra-patterned circle'],
    ['circle', 'a coin-shaped yellow object'],
  ])('a visitor cannot name %s through what the world associates with it: "%s"', (concept, prompt) => {
    expect(compilePolicy([concept], { lexicon: lex }).guard.check(prompt).ok).toBe(false);
  });

  it.each([
    ['teal backdrop', 'background', 'teal'],
    ['green shade', 'colour', 'green'],
    ['spots', 'pattern', 'dotted'],
    ['stripes', 'pattern', 'striped'],
    ['polka dots', 'pattern', 'dotted'],
    ['lagoon', 'background', 'teal'],
    ['night', 'background', 'navy'],
    ['reddish', 'colour', 'red'],
    ['Crimson-coloured things', 'colour', 'red'],
    ['huge objects', 'size', 'large'],
    ['twins', 'count', 'two'],
    ['lime green', 'colour', 'green'],
    ['round shapes', 'shape', 'circle'],
    ['triangular shape', 'shape', 'triangle'],
    ['circular objects', 'shape', 'circle'],
    ['nighttime', 'background', 'navy'],
    ['night-time backdrop', 'background', 'navy'],
    ['spotty', 'pattern', 'dotted'],
  ])('an administrator\'s "%s" is the %s %s', (concept, attribute, value) => {
    const r = resolveWorldConcept(concept);
    expect([r?.value.attribute, r?.value.name]).toEqual([attribute, value]);
  });

  it('concepts outside the world resolve to no value', () => {
    for (const c of ['dog', 'alcohol', 'Bill Gates', 'red circle', 'colour', 'background', 'hot dog']) expect(resolveWorldConcept(c), c).toBeNull();
  });
});

describe('compiled policy', () => {
  it('keeps the mask for appearance and object concepts, and runs TIN when a concept is the layout', () => {
    expect(compilePolicy('red, polka dots, dog', { lexicon: lex }).maskChoice().fits).toBe(true);
    const layout = compilePolicy('red, teal backdrop', { lexicon: lex }).maskChoice();
    expect(layout.fits).toBe(false);
    expect(layout.reason).toMatch(/"teal backdrop" is .*TIN runs instead/);
  });

  it('records what each concept resolved to, and flags one that resolved to its own words only', () => {
    const p = compilePolicy('teal backdrop, dog, zorblax', { lexicon: lex });
    const [teal, dog, unknown] = p.concepts;
    expect(teal!.world?.name).toBe('teal');
    expect(teal!.kind).toBe('layout');
    expect(teal!.sample).toEqual(expect.arrayContaining(['teal', 'cyan']));
    expect(dog!.world).toBeNull();
    expect(dog!.termCount).toBeGreaterThan(20); // synonyms and kinds of dog
    expect(dog!.flagged).toBe(false);
    expect(unknown!.flagged).toBe(true);
    expect(unknown!.sample).toEqual([]); // nothing beyond its own word
    expect(p.worldValues.map((v) => v.name)).toEqual(['teal']);
    expect(p.id).toBe(compilePolicy(['dog', 'zorblax', 'teal backdrop'], { lexicon: lex }).id);
    expect(p.id).not.toBe(compilePolicy(['dog'], { lexicon: lex }).id);
  });

  it('a field of only commas or spaces is an error, not an empty policy', () => {
    expect(() => compilePolicy(' , ;, ', { lexicon: lex })).toThrow(expect.objectContaining({ code: 'no-concepts' }));
  });

  it('layout concepts switch early, appearance concepts keep the default S', () => {
    expect(compilePolicy(['red'], { lexicon: lex }).switchStep(20, 0.15)).toMatchObject({ step: 3 });
    const layout = compilePolicy(['red', 'at night'], { lexicon: lex }).switchStep(20, 0.15);
    expect(layout.step).toBe(LAYOUT_SWITCH_STEP);
    expect(layout.reason).toMatch(/"at night" is the background navy/);
    expect(compilePolicy(['beach'], { lexicon: lex }).concepts[0]!.kind).toBe('layout');
    expect(compilePolicy(['leather'], { lexicon: lex }).concepts[0]!.kind).toBe('appearance');
    expect(compilePolicy(['wood'], { lexicon: lex }).concepts[0]!.kind).toBe('layout'); // a material or a forest: the safe side
    expect(compilePolicy(['dog'], { lexicon: lex }).switchStep(20, 0.15).step).toBe(3);
    // a default S below the layout step is kept (S = 0 already rewrites every step)
    expect(compilePolicy(['at night'], { lexicon: lex }).switchStep(20, 0).step).toBe(0);
  });

  it('the LLM is told what each concept covers, and its answer is checked by the policy guard', async () => {
    const policy = compilePolicy(['teal backdrop'], { lexicon: lex });
    const engine = new FakeChatEngine(['{"rewritten": "a red circle in a lagoon"}', '{"rewritten": "a red circle on a beige background"}']);
    const r = await createLlmRewriter({ engine, lexicon: lex }).rewrite({ query: 'a red circle on a cyan background', concepts: ['teal backdrop'], instruction: 'Remove it.', policy });
    expect(r.rewritten).toBe('a red circle on a beige background');
    expect(r.attempts).toBe(2); // "in a lagoon" implies teal: refused
    const data = readDataBlock(engine.lastUserText(0));
    expect(data?.banned_concepts_cover?.['teal backdrop']).toEqual(expect.arrayContaining(['teal', 'cyan', 'in a lagoon']));
  });
});
