import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCaseFile } from '../../src/core/bench/caseFile.ts';
import { createLlmRewriter } from '../../src/core/rewrite/llmRewriter.ts';
import { createFallbackRewriter } from '../../src/core/rewrite/fallbackRewriter.ts';
import type { ConditioningSchedule } from '../../src/core/pipeline/schedule.ts';
import { caseKind, conditioningSegments, generateBenchmark, scoreBenchmark, summarizeBenchmark, withOriginal, type GeneratedResult } from '../../src/core/tin/benchmark.ts';
import { ALL_METHOD_IDS, blacklistQuery, METHOD_IDS, METHODS, methodRequest, parseMethodList, type MethodInput } from '../../src/core/tin/methods.ts';
import { createRewriteProvider, delayedRewriter, PLAIN_INSTRUCTION } from '../../src/core/tin/rewrites.ts';
import type { ConceptJudge } from '../../src/core/judge/types.ts';
import type { GenerateRequest } from '../../src/core/pipeline/request.ts';
import { createImage } from '../../src/core/metrics/image.ts';
import { FakeChatEngine, repoRoot, rewritten, testLexicon } from './helpers/fakeChatEngine.ts';
import { compilePolicy } from '../../src/core/policy/compile.ts';

const T = 20;
const S = 3;
const input: MethodInput = { query: 'a large Red circle on a navy background', concepts: ['red'], steps: T, switchStep: S, rewritten: 'a large blue circle on a navy background' };

/** The (prompt, negative) texts of each step, with pending prompts shown as '<pending>'. */
const texts = (s: ConditioningSchedule) => s.steps.map((e) => [s.prompts[e.prompt], s.prompts[e.negative]].map((p) => (typeof p === 'string' ? p : '<pending>')));
const repeat = <T>(n: number, x: T): T[] => Array.from({ length: n }, () => x);

describe('each method builds the conditioning schedule it claims', () => {
  it('ORIGINAL: the query at every step, empty negative', () => {
    expect(texts(METHODS.original.schedule(input))).toEqual(repeat(T, [input.query, '']));
  });
  it('BLACK LIST: the concept word deleted (any case), nothing else', () => {
    expect(texts(METHODS.blacklist.schedule(input))).toEqual(repeat(T, ['a large circle on a navy background', '']));
  });
  it('NEGATIVE PROMPT: the query, the concept as negative, at every step', () => {
    expect(texts(METHODS.negative.schedule({ ...input, concepts: ['red', 'navy'] }))).toEqual(repeat(T, [input.query, 'red, navy']));
  });
  it('TIN: the query for steps 0..S-1, the rewrite from S, empty negative', () => {
    expect(texts(METHODS.tin.schedule(input))).toEqual([...repeat(S, [input.query, '']), ...repeat(T - S, [input.rewritten, ''])]);
  });
  it('TIN w/o learnable instruction: the same switch, with the plain-instruction rewrite', () => {
    expect(METHODS['tin-plain'].rewrite).toBe('plain');
    expect(METHODS.tin.rewrite).toBe('learned');
    expect(texts(METHODS['tin-plain'].schedule(input))).toEqual(texts(METHODS.tin.schedule(input)));
  });
  it('TIN w/o prompt intervention: the rewrite from step 0', () => {
    expect(texts(METHODS['tin-noswitch'].schedule(input))).toEqual(repeat(T, [input.rewritten, '']));
  });
  it('TIN + NEG: the switch at S, and the concept as negative from S', () => {
    expect(texts(METHODS['tin-neg'].schedule(input))).toEqual([...repeat(S, [input.query, '']), ...repeat(T - S, [input.rewritten, 'red'])]);
  });
  it('SLD: the query with empty negative, the concept as safety concept from the STRONG warmup', () => {
    const s = METHODS.sld.schedule(input);
    expect(texts(s)).toEqual(repeat(T, [input.query, '']));
    expect(s.prompts[s.safety!.prompt]).toBe('red');
    expect(s.safety).toMatchObject({ warmup: 3, scale: 2000, threshold: 0.025, momentum: 0.5, beta: 0.7 });
  });
  it('TIN + SLD: the switch at S, and SLD from S', () => {
    const s = METHODS['tin-sld'].schedule({ ...input, switchStep: 4 });
    expect(texts(s)).toEqual([...repeat(4, [input.query, '']), ...repeat(T - 4, [input.rewritten, ''])]);
    expect(s.prompts[s.safety!.prompt]).toBe('red');
    expect(s.safety!.warmup).toBe(4);
    expect(METHODS.original.schedule(input).safety).toBeUndefined();
  });
  it('keeps a pending rewrite pending (the loop awaits it at step S)', () => {
    const pending = () => Promise.resolve('later');
    const s = METHODS.tin.schedule({ ...input, rewritten: pending });
    expect(s.prompts).toContain(pending);
    expect(texts(s)[S]![0]).toBe('<pending>');
    expect(texts(s)[S - 1]![0]).toBe(input.query);
  });
  it('S = 0 and S = T are the two ends; outside is an error', () => {
    expect(texts(METHODS.tin.schedule({ ...input, switchStep: 0 }))).toEqual(texts(METHODS['tin-noswitch'].schedule(input)));
    expect(texts(METHODS.tin.schedule({ ...input, switchStep: T }))).toEqual(texts(METHODS.original.schedule(input)));
    expect(() => METHODS.tin.schedule({ ...input, switchStep: T + 1 })).toThrow(/switch step S/);
    expect(() => METHODS['tin-neg'].schedule({ ...input, switchStep: -1 })).toThrow(/switch step S/);
  });
  it('rewrite methods without a rewrite fail clearly; the others never need one', () => {
    const none = { ...input, rewritten: undefined };
    for (const id of METHOD_IDS) {
      if (METHODS[id].rewrite) expect(() => METHODS[id].schedule(none)).toThrow(/needs the rewritten query/);
      else expect(() => METHODS[id].schedule(none)).not.toThrow();
    }
  });
  it('methodRequest always sends a full schedule with the same seed and T', () => {
    const r = methodRequest(METHODS.negative, input, 4, 5);
    expect(r).toMatchObject({ prompt: input.query, seed: 4, steps: T, guidanceScale: 5 });
    expect(r.schedule!.steps).toHaveLength(T);
  });
});

describe('blacklist', () => {
  it('deletes whole words and phrases, case-insensitive, and tidies', () => {
    expect(blacklistQuery('RED, red and Red-ish redwood', ['red'])).toBe('and -ish redwood');
    expect(blacklistQuery('a circle on a navy background', ['navy background'])).toBe('a circle on a');
    expect(blacklistQuery('a crimson square', ['red'])).toBe('a crimson square');
    expect(blacklistQuery('two crosses', ['cross'])).toBe('two crosses');
  });
});

describe('method lists', () => {
  it('parses names and "all"; unknown names are refused with the list', () => {
    expect(parseMethodList('tin, negative').map((m) => m.id)).toEqual(['tin', 'negative']);
    expect(parseMethodList('all').map((m) => m.id)).toEqual([...ALL_METHOD_IDS]);
    expect(ALL_METHOD_IDS).toEqual(METHOD_IDS.filter((id) => id !== 'app' && id !== 'app-mask')); // they need two judges: named, never in "all"
    expect(() => parseMethodList('tin,sdl')).toThrow(/Unknown method "sdl".*original, blacklist/);
  });
  it('"name@S" gives a switching method its own S', () => {
    const [tin2, neg1] = parseMethodList('tin@2, tin-neg@1');
    expect([tin2!.id, tin2!.label, neg1!.label]).toEqual(['tin@2', 'TIN (S=2)', 'TIN + NEG (S=1)']);
    expect(texts(tin2!.schedule(input))).toEqual([...repeat(2, [input.query, '']), ...repeat(T - 2, [input.rewritten, ''])]);
    expect(() => parseMethodList('negative@2')).toThrow(/does not switch at S/);
    expect(() => parseMethodList('tin@x')).toThrow(/whole number/);
  });
  it('ORIGINAL always runs first: it is the reference of every similarity', () => {
    expect(withOriginal(parseMethodList('tin,negative')).map((m) => m.id)).toEqual(['original', 'tin', 'negative']);
  });
});

describe('our case file', () => {
  const cases = parseCaseFile(readFileSync(repoRoot + 'bench/cases/tiny-world.tsv', 'utf8'), 'tiny-world.tsv');
  it('has at least 60 cases of every kind, all in the world', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    const kinds = cases.map(caseKind);
    for (const k of ['explicit', 'synonym', 'implicit'] as const) expect(kinds.filter((x) => x === k).length).toBeGreaterThanOrEqual(15);
  });
  it('classifies how the query names the concept', () => {
    expect(caseKind({ query: 'a red square', concepts: ['red'] })).toBe('explicit');
    expect(caseKind({ query: 'a crimson square', concepts: ['red'] })).toBe('synonym');
    expect(caseKind({ query: 'two crosses', concepts: ['cross'] })).toBe('synonym');
    expect(caseKind({ query: 'a tomato-coloured square', concepts: ['red'] })).toBe('implicit');
    expect(caseKind({ query: 'a blue square at night', concepts: ['navy'] })).toBe('implicit');
  });
});

describe('rewrites for the ablation', () => {
  it('TIN and TIN w/o learnable instruction ask the LLM with different instructions', async () => {
    const engine = new FakeChatEngine((req) => {
      const system = String(req.messages[0]?.content ?? '');
      return rewritten(system === PLAIN_INSTRUCTION ? 'a square' : 'a blue square');
    });
    const llm = createLlmRewriter({ engine, modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', lexicon: testLexicon() });
    const provider = createRewriteProvider({ rewriter: llm, learnedInstruction: 'LEARNED: replace banned concepts with other values.' });
    expect((await provider('learned', 'a red square', ['red'])).rewritten).toBe('a blue square');
    expect((await provider('plain', 'a red square', ['red'])).rewritten).toBe('a square');
    expect(engine.requests.map((r) => r.messages[0]?.content)).toEqual(['LEARNED: replace banned concepts with other values.', PLAIN_INSTRUCTION]);
  });
  it('the offline fallback ignores instructions: both variants give the same u\'', async () => {
    const provider = createRewriteProvider({ rewriter: createFallbackRewriter({ lexicon: testLexicon() }), learnedInstruction: 'x' });
    expect((await provider('learned', 'a crimson disc', ['red'])).rewritten).toBe((await provider('plain', 'a crimson disc', ['red'])).rewritten);
  });
});

describe('benchmark runner with a fake engine and judge', () => {
  const cases = parseCaseFile('red\ta red disc\ta red disc on grey\nnavy\tnight\ta blue square at night\n', 'mini.tsv');
  /** Paints the image from the final step's prompt: red if it says red/crimson, blue otherwise. */
  const fakeGenerate = (log: { request: GenerateRequest; rewriteReadyAtStart: boolean[] }[], ready: { done: boolean }) => async (request: GenerateRequest): Promise<GeneratedResult> => {
    const s = request.schedule!;
    const trace = [];
    const seen: boolean[] = [];
    for (let i = 0; i < s.steps.length; i++) {
      const e = s.steps[i]!;
      const src = s.prompts[e.prompt]!;
      if (typeof src !== 'string') seen.push(ready.done);
      const promptText = typeof src === 'string' ? src : await src();
      const neg = s.prompts[e.negative]!;
      trace.push({ step: i, promptText, negativeText: typeof neg === 'string' ? neg : await neg() });
    }
    log.push({ request, rewriteReadyAtStart: seen });
    const last = trace[trace.length - 1]!;
    const red = /red|crimson/.test(last.promptText) && !/red/.test(last.negativeText);
    return { image: createImage(4, 4, red ? [220, 30, 30, 255] : [30, 30, 220, 255]), trace };
  };
  const judge: ConceptJudge = {
    id: 'fake',
    check() {},
    async judge(images, concepts) {
      return images.map((im) => {
        const present = concepts.includes('red') && im.data[0]! > 128;
        return { present, concepts: concepts.map((c) => ({ concept: c, present })) };
      });
    },
  };

  it('APP + MASK masks only where the policy allows it, and regenerates with TIN from step 0', async () => {
    const lexicon = testLexicon();
    const log: { request: GenerateRequest; rewriteReadyAtStart: boolean[] }[] = [];
    const rewrite = createRewriteProvider({ rewriter: createFallbackRewriter({ lexicon }), learnedInstruction: '' });
    let verified = 0;
    const app = {
      policyFor: (concepts: readonly string[]) => compilePolicy(concepts, { lexicon }),
      // the first image of the red case is flagged once, so it is made again
      verify: async (_: unknown, concepts: readonly string[]) => {
        const present = concepts.includes('red') && verified++ === 0;
        return { present, concepts: concepts.map((c) => ({ concept: c, present })) };
      },
      maxRetries: 2,
    };
    const settings = { methods: parseMethodList('app-mask'), seeds: [0], steps: 6, switchStep: 2, guidanceScale: 5 };
    const { images } = await generateBenchmark(cases, settings, { generate: fakeGenerate(log, { done: true }), rewrite, app });
    // per case: ORIGINAL, then red (appearance) masked at S = 2 and regenerated as TIN from step 0
    // (u' at step 0); navy (layout) as TIN at S = 1, no mask
    const mask = (l: (typeof log)[number]) => l.request.schedule!.mask?.from ?? null;
    const atStep = (l: (typeof log)[number], k: number) => l.request.schedule!.steps[k]!.prompt;
    expect(log.map((l) => [mask(l), atStep(l, 0), atStep(l, 1)])).toEqual([
      [null, 0, 0],
      [2, 0, 0],
      [null, 1, 1],
      [null, 0, 0],
      [null, 0, 1],
    ]);
    expect(images.filter((i) => i.method === 'app-mask').map((i) => i.app)).toEqual([
      { switchStep: 2, retries: 1, refused: false },
      { switchStep: 1, retries: 0, refused: false },
    ]);
  });

  it('runs every method and seed, records the conditioning of each step, and scores against ORIGINAL', async () => {
    const log: { request: GenerateRequest; rewriteReadyAtStart: boolean[] }[] = [];
    const ready = { done: false };
    const slow = delayedRewriter(createFallbackRewriter({ lexicon: testLexicon() }), 30);
    const rewrite = createRewriteProvider({ rewriter: { ...slow, rewrite: (r) => slow.rewrite(r).then((x) => ((ready.done = true), x)) }, learnedInstruction: '' });
    const settings = { methods: parseMethodList('all'), seeds: [0, 1], steps: 6, switchStep: 2, guidanceScale: 5 };
    const { images, rewrites } = await generateBenchmark(cases, settings, { generate: fakeGenerate(log, ready), rewrite });
    expect(images).toHaveLength(2 * 2 * ALL_METHOD_IDS.length);
    // Same conditioning, same seed, same image: reused, not generated again, and said so.
    const reused = images.filter((i) => i.reusedFrom).map((i) => `${i.caseLine}:${i.method}<-${i.reusedFrom}`);
    expect(reused).toEqual(expect.arrayContaining(['2:blacklist<-original', '1:tin-plain<-tin', '2:tin-plain<-tin']));
    expect(reused.some((r) => r.startsWith('1:blacklist'))).toBe(false);
    expect(log).toHaveLength(images.length - reused.length);
    expect(rewrites.map((r) => [r.caseLine, r.variant])).toEqual([[1, 'learned'], [1, 'plain'], [2, 'learned'], [2, 'plain']]);
    const tin = images.find((i) => i.method === 'tin' && i.caseLine === 1 && i.seed === 0)!;
    expect(tin.conditioning).toEqual([
      { from: 0, to: 1, prompt: 'a red disc on grey', negative: '' },
      { from: 2, to: 5, prompt: rewrites[0]!.rewritten, negative: '' },
    ]);
    const records = await scoreBenchmark(cases, images, judge);
    const summary = summarizeBenchmark(records);
    const by = Object.fromEntries(summary.all.map((s) => [s.method, s]));
    expect(by['ORIGINAL']!.similarityAll).toBe(1);
    expect(by['TIN']!.avoidanceRate).toBe(1);
    expect(by['ORIGINAL']!.avoidanceRate).toBe(0.5); // the navy case has no red
    expect(summary.byKind.explicit!.length).toBe(ALL_METHOD_IDS.length);
    expect(records.every((r) => r.conditioning.length >= 1)).toBe(true);
  });

  it('starts the rewrite before the first image: a slow rewrite is still pending at the first step', async () => {
    const log: { request: GenerateRequest; rewriteReadyAtStart: boolean[] }[] = [];
    const ready = { done: false };
    const slow = delayedRewriter(createFallbackRewriter({ lexicon: testLexicon() }), 50);
    let startedAt = -1;
    const rewrite = createRewriteProvider({
      rewriter: { ...slow, rewrite: (r) => ((startedAt = log.length), slow.rewrite(r).then((x) => ((ready.done = true), x))) },
      learnedInstruction: '',
    });
    await generateBenchmark(cases.slice(0, 1), { methods: parseMethodList('tin'), seeds: [0], steps: 4, switchStep: 2 }, { generate: fakeGenerate(log, ready), rewrite });
    expect(startedAt).toBe(0); // before ORIGINAL's image
    expect(log.map((l) => l.request.schedule!.steps.length)).toEqual([4, 4]);
  });

  it('a failed rewrite is recorded and conditions on the empty prompt from S', async () => {
    const log: { request: GenerateRequest; rewriteReadyAtStart: boolean[] }[] = [];
    const failing = { kind: 'llm' as const, label: 'broken', rewrite: () => Promise.reject(new Error('engine crashed')) };
    const { images, rewrites } = await generateBenchmark(cases.slice(0, 1), { methods: parseMethodList('tin'), seeds: [0], steps: 4, switchStep: 2 }, {
      generate: fakeGenerate(log, { done: true }),
      rewrite: createRewriteProvider({ rewriter: failing, learnedInstruction: '' }),
    });
    expect(rewrites[0]).toMatchObject({ error: 'engine crashed', rewritten: '' });
    expect(images.find((i) => i.method === 'tin')!.conditioning.at(-1)).toMatchObject({ from: 2, prompt: '' });
  });

  it('conditioning segments group consecutive equal steps', () => {
    const t = (step: number, p: string, n = '') => ({ step, promptText: p, negativeText: n });
    expect(conditioningSegments([t(0, 'a'), t(1, 'a'), t(2, 'b'), t(3, 'b', 'x')])).toEqual([
      { from: 0, to: 1, prompt: 'a', negative: '' },
      { from: 2, to: 2, prompt: 'b', negative: '' },
      { from: 3, to: 3, prompt: 'b', negative: 'x' },
    ]);
    const sld = (step: number, applied: boolean) => ({ ...t(step, 'a'), safetyText: 'red', safetyApplied: applied });
    expect(conditioningSegments([sld(0, false), sld(1, true), sld(2, true)])).toEqual([
      { from: 0, to: 0, prompt: 'a', negative: '' },
      { from: 1, to: 2, prompt: 'a', negative: '', safety: 'red' },
    ]);
  });
});
