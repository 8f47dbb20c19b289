import * as ort from 'onnxruntime-web';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createImage, type RgbaImage } from '../../src/core/metrics/image.ts';
import { clipDecision, clipPromptSet, createClipJudge, hasNegation, type ZeroShotClassifier } from '../../src/core/judge/clipJudge.ts';
import { createVqaJudge, ORES_VQA_QUESTION } from '../../src/core/judge/vqaJudge.ts';
import { createWorldJudge, softmax, VERIFY_FLAG_AT, worldConceptOf, worldVerdict, type WorldPrediction } from '../../src/core/judge/worldJudge.ts';
import { createGuard } from '../../src/core/guard/guard.ts';
import { valueNames, worldValue, type Attribute } from '../../src/core/world/vocabulary.ts';
import { createOrtWorldClassifier, judgeInput, resizeBox } from '../../src/engine/judge/worldClassifier.ts';
import { repoRoot, testLexicon } from './helpers/fakeChatEngine.ts';

describe('world judge: concept -> attribute value', () => {
  it.each([
    ['red', 'colour', 'red'],
    ['Crimson', 'colour', 'red'],
    ['tomato-coloured', 'colour', 'red'],
    ['navy', 'background', 'navy'],
    ['navy background', 'background', 'navy'],
    ['at night', 'background', 'navy'],
    ['night', 'background', 'navy'],
    ['grey', 'background', 'gray'],
    ['striped', 'pattern', 'striped'],
    ['polka dot', 'pattern', 'dotted'],
    ['disc', 'shape', 'circle'],
    ['discs', 'shape', 'circle'],
    ['two', 'count', 'two'],
    ['large', 'size', 'large'],
  ])('%s -> %s:%s', (concept, attribute, value) => {
    const c = worldConceptOf(concept);
    expect([c.attribute, c.value]).toEqual([attribute, value]);
    expect(c.index).toBe(valueNames(c.attribute).indexOf(value));
  });
  it('a concept outside the world is a clear error listing what the judge knows', () => {
    expect(() => worldConceptOf('dog')).toThrow(/"dog" is not part of the embedded world.*colour \(red, orange/);
    expect(() => worldConceptOf('dog')).toThrow(expect.objectContaining({ code: 'concept-not-in-world' }));
  });
  it('present when the head argmax is the concept value', () => {
    const probs = (attr: Attribute, winner: string): number[] => valueNames(attr).map((v) => (v === winner ? 0.7 : 0.3 / (valueNames(attr).length - 1)));
    const p = { colour: probs('colour', 'red'), shape: probs('shape', 'square'), background: probs('background', 'navy'), pattern: probs('pattern', 'plain'), size: probs('size', 'small'), count: probs('count', 'one') } as WorldPrediction;
    expect(worldVerdict(p, worldConceptOf('crimson')).present).toBe(true);
    expect(worldVerdict(p, worldConceptOf('blue')).present).toBe(false);
    expect(worldVerdict(p, worldConceptOf('at night')).present).toBe(true);
    expect(worldVerdict(p, worldConceptOf('circle')).present).toBe(false);
    expect(() => worldVerdict({ ...p, colour: [1, 0] }, worldConceptOf('red'))).toThrow(/2 classes; the vocabulary has 8/);
  });
  it('a verifier flags a banned value it gives at least VERIFY_FLAG_AT, even when another value wins', () => {
    const colour = valueNames('colour').map((v) => (v === 'orange' ? 0.6 : v === 'red' ? 0.3 : 0.1 / 6));
    const p = { colour, shape: [1, 0, 0, 0, 0], background: [1, 0, 0, 0], pattern: [1, 0, 0], size: [1, 0, 0], count: [1, 0] } as WorldPrediction;
    expect(worldVerdict(p, worldConceptOf('red')).present).toBe(false); // measuring: argmax
    expect(worldVerdict(p, worldConceptOf('red'), undefined, VERIFY_FLAG_AT).present).toBe(true);
    expect(worldVerdict(p, worldConceptOf('blue'), undefined, VERIFY_FLAG_AT).present).toBe(false);
  });
  it('softmax', () => {
    const s = softmax([1, 2, 3]);
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(s[2]! > s[1]! && s[1]! > s[0]!).toBe(true);
  });
});

describe('world judge on onnxruntime (tiny fixture judge with the real interface)', () => {
  const bytes = new Uint8Array(readFileSync(repoRoot + 'tests/fixtures/models/tiny-judge/model.onnx'));
  const solid = (name: string, size = 32): RgbaImage => {
    const [r, g, b] = worldValue('colour', name).rgb!;
    return createImage(size, size, [r, g, b, 255]);
  };
  it('preprocesses RGBA to [-1,1] CHW and box-resizes other sizes', () => {
    const x = judgeInput([createImage(32, 32, [255, 0, 127.5, 255])]);
    expect(x.length).toBe(3 * 32 * 32);
    expect([x[0], x[1024], x[2048]]).toEqual([1, -1, expect.closeTo(0, 2)]);
    const big = createImage(64, 64, [0, 0, 0, 255]);
    for (let i = 0; i < 64 * 64; i += 2) big.data[i * 4] = 255; // every other pixel red
    const small = resizeBox(big, 32);
    expect(small.width).toBe(32);
    expect(small.data[0]).toBe(128);
  });
  it('judges plain colours by the colour head, in batches, any image size', async () => {
    const classifier = await createOrtWorldClassifier(ort, bytes, { id: 'tiny-judge', batch: 2 });
    try {
      const judge = createWorldJudge(classifier);
      const verdicts = await judge.judge([solid('red'), solid('blue'), solid('red', 64)], ['red']);
      expect(verdicts.map((v) => v.present)).toEqual([true, false, true]);
      expect(verdicts[0]!.concepts[0]!.detail).toMatch(/colour: judged red/);
      const two = await judge.judge([solid('green')], ['green', 'navy']);
      expect(two[0]!.concepts.map((c) => c.concept)).toEqual(['green', 'navy']);
      expect(two[0]!.present).toBe(true);
      expect(() => judge.check(['red', 'dog'])).toThrow(/"dog" is not part of the embedded world/);
    } finally {
      await classifier.release();
    }
  });
  it('a file that is not the judge is refused with what it should be', async () => {
    const sd = new Uint8Array(readFileSync(repoRoot + 'tests/fixtures/models/tiny-sd/vae_decoder/model.onnx'));
    await expect(createOrtWorldClassifier(ort, sd, { id: 'vae' })).rejects.toThrow(/must take "image" and give colour, shape/);
    await expect(createOrtWorldClassifier(ort, new Uint8Array([1, 2, 3]), { id: 'junk' })).rejects.toThrow(/could not be opened as an ONNX model/);
  });
});

describe('CLIP judge: captions and decision (fake classifier)', () => {
  const lexicon = testLexicon();
  it('compares concept-present captions with concept-absent alternatives, never negations', () => {
    for (const concept of ['red', 'dog', 'large', 'laughing', 'navy']) {
      const set = clipPromptSet(concept, { lexicon });
      const guard = createGuard([concept], lexicon);
      expect(set.present.length).toBeGreaterThan(0);
      expect(set.present.every((p) => p.includes(concept))).toBe(true);
      expect(set.absent.length).toBeGreaterThanOrEqual(3);
      for (const t of [...set.present, ...set.absent]) expect(hasNegation(t), t).toBe(false);
      for (const t of set.absent) expect(guard.check(t).ok, t).toBe(true);
    }
    const red = clipPromptSet('red', { lexicon });
    expect(red.absent).toEqual(expect.arrayContaining(['a photo of blue', 'a photo of green']));
    expect(red.absent.some((t) => /crimson|scarlet/.test(t))).toBe(false);
    const large = clipPromptSet('large', { lexicon });
    expect(large.absent).toEqual(expect.arrayContaining(['a photo of small']));
  });
  it('refuses negated captions given by the caller', () => {
    expect(() => clipPromptSet('dog', { lexicon, extraAbsent: ['a room without a dog'] })).toThrow(/negation/);
    expect(() => clipPromptSet('dog', { lexicon, templates: ['no {}'] })).toThrow(/negation/);
    expect(hasNegation("there isn't a dog")).toBe(true);
    expect(hasNegation('a snowy street')).toBe(false);
  });
  it('present when the best caption is a present one', () => {
    const set = { concept: 'dog', present: ['a photo of dog'], absent: ['a photo of cat', 'a photo of bird'] };
    expect(clipDecision(set, [0.5, 0.3, 0.2])).toMatchObject({ present: true, score: 0.5 });
    expect(clipDecision(set, [0.3, 0.5, 0.2]).present).toBe(false);
    expect(() => clipDecision(set, [1])).toThrow(/1 scores for 3 captions/);
  });
  it('judges through a zero-shot classifier', async () => {
    const calls: string[][] = [];
    const fake: ZeroShotClassifier = {
      id: 'fake-clip',
      async classify(images, labels) {
        calls.push([...labels]);
        // image 0 "shows" the concept (the first caption wins), image 1 an alternative.
        return images.map((_, i) => labels.map((_, k) => (k === (i === 0 ? 0 : labels.length - 1) ? 0.9 : 0.1 / (labels.length - 1))));
      },
    };
    const judge = createClipJudge(fake, { lexicon });
    const v = await judge.judge([createImage(2, 2), createImage(2, 2)], ['dog']);
    expect(v.map((x) => x.present)).toEqual([true, false]);
    expect(judge.id).toBe('clip fake-clip');
    expect(calls[0]!.every((l) => !hasNegation(l))).toBe(true);
  });
});

describe('VQA judge interface', () => {
  it("asks the paper's question and thresholds P(yes) - P(no)", async () => {
    const asked: string[] = [];
    const judge = createVqaJudge({
      id: 'fake-vqa',
      async yesNo(_img, q) {
        asked.push(q);
        return q.includes('dog') ? { yes: 0.8, no: 0.2 } : { yes: 0.45, no: 0.55 };
      },
    });
    const v = await judge.judge([createImage(2, 2)], ['dog', 'cat']);
    expect(asked).toEqual([ORES_VQA_QUESTION.replace('{concept}', 'dog'), 'Is there cat in the image?']);
    expect(v[0]!.concepts.map((c) => c.present)).toEqual([true, false]);
    const strict = createVqaJudge({ id: 'x', yesNo: async () => ({ yes: 0.8, no: 0.2 }) }, { threshold: 0.7 });
    expect((await strict.judge([createImage(2, 2)], ['dog']))[0]!.present).toBe(false);
    expect(() => createVqaJudge({ id: 'x', yesNo: async () => ({ yes: 1, no: 0 }) }, { questions: ['Is it there?'] })).toThrow(/\{concept\}/);
  });
});

const REAL_JUDGE = repoRoot + 'public/models/ores-tiny-world/judge/model.onnx';
describe.skipIf(!existsSync(REAL_JUDGE))('the embedded world judge (real model)', () => {
  it('reads freshly drawn scenes: class order and preprocessing match the training', async () => {
    const { randomScene, drawScene } = await import('../../src/core/world/draw.ts');
    const { mulberry32 } = await import('../../src/core/random.ts');
    const { ATTRIBUTES } = await import('../../src/core/world/vocabulary.ts');
    const classifier = await createOrtWorldClassifier(ort, new Uint8Array(readFileSync(REAL_JUDGE)), { id: 'judge' });
    try {
      const rand = mulberry32(7);
      const scenes = Array.from({ length: 120 }, () => randomScene(rand));
      const predictions = await classifier.classify(scenes.map((s) => drawScene(s, rand)));
      for (const a of ATTRIBUTES) {
        const right = scenes.filter((s, i) => {
          const p = Array.from(predictions[i]![a]);
          return valueNames(a)[p.indexOf(Math.max(...p))] === s[a];
        }).length;
        expect(right / scenes.length, a).toBeGreaterThanOrEqual(0.9);
      }
    } finally {
      await classifier.release();
    }
  });
});
