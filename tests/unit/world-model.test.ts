import * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ATTRIBUTES, valueNames } from '../../src/core/world/vocabulary.ts';
import { drawScene, randomScene } from '../../src/core/world/draw.ts';
import { mulberry32 } from '../../src/core/random.ts';
import { createOrtWorldClassifier, type OrtWorldClassifier } from '../../src/engine/judge/worldClassifier.ts';
import type { LoadedModel } from '../../src/engine/loadModel.ts';
import { measureWorldQuality, type CaptionCase } from '../../src/node/worldQuality.ts';
import { appManifest, loadAppModel, publicDir, repoRoot } from './helpers/engine.ts';

const argmax = (p: ArrayLike<number>) => Array.from(p).reduce((best, v, i, a) => (v > a[best]! ? i : best), 0);

let judge: OrtWorldClassifier;
let model: LoadedModel;
beforeAll(async () => {
  judge = await createOrtWorldClassifier(ort, readFileSync(publicDir + 'models/ores-tiny-world/judge/model.onnx'), { id: 'world-judge' });
  model = await loadAppModel('ores-tiny-world');
});
afterAll(async () => {
  await judge.release();
  await model.release();
});

describe('the embedded tiny-world model', () => {
  test('is the default model, embedded, within 12 MB with its judge', () => {
    expect(appManifest.defaultModel).toBe('ores-tiny-world');
    const files = ['text_encoder/model.onnx', 'unet/model.onnx', 'vae_decoder/model.onnx', 'judge/model.onnx', 'tokenizer/tokenizer.json'];
    const bytes = files.reduce((s, f) => s + readFileSync(publicDir + 'models/ores-tiny-world/' + f).byteLength, 0);
    expect(bytes).toBeLessThanOrEqual(12 * 2 ** 20);
  });

  test('its judge is at least 97% accurate per attribute on 300 freshly drawn images', async () => {
    const rand = mulberry32(424242); // a stream the Python training never drew from
    const scenes = Array.from({ length: 300 }, () => randomScene(rand));
    const predictions = await judge.classify(scenes.map((s) => drawScene(s, rand)));
    const accuracy = Object.fromEntries(
      ATTRIBUTES.map((a) => [a, predictions.filter((p, i) => valueNames(a)[argmax(p[a])] === scenes[i]![a]).length / scenes.length]),
    );
    console.log('judge accuracy on 300 fresh images:', accuracy);
    for (const a of ATTRIBUTES) expect(accuracy[a], a).toBeGreaterThanOrEqual(0.97);
  });

  test('generation quality on a fixed sample of held-out captions (colour, shape, background)', async () => {
    const cases = (JSON.parse(readFileSync(repoRoot + 'tests/fixtures/world/heldout_captions.json', 'utf8')) as CaptionCase[]).slice(0, 24);
    const r = await measureWorldQuality(model, judge, cases);
    console.log(`quality on ${r.n} held-out captions: colour ${(r.colour * 100).toFixed(1)}%, shape ${(r.shape * 100).toFixed(1)}%, background ${(r.background * 100).toFixed(1)}%`);
    // Generation is deterministic here. The targets were 85% / 70% / 90%; the model beats
    // them (100% / 92% / 100% on 300 captions, 100% / 91.7% / 100% on this sample), so the floors
    // are the higher targets set since: 95% / 80% / 95%.
    expect(r.colour).toBeGreaterThanOrEqual(0.95);
    expect(r.background).toBeGreaterThanOrEqual(0.95);
    expect(r.shape).toBeGreaterThanOrEqual(0.8);
  });
});
