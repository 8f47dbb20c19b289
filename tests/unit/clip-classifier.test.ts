// The real tiny CLIP fixture (tools/fixtures/build_fixture_clip.py) through transformers.js in Node,
// from bytes we hand it: the judge's wiring (tokenizer, preprocessing, graph, softmax, decision) end to end.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createImage, type RgbaImage } from '../../src/core/metrics/image.ts';
import { clipPromptSet, createClipJudge } from '../../src/core/judge/clipJudge.ts';
import { worldValue } from '../../src/core/world/vocabulary.ts';
import { createClipClassifier, type ClipClassifier } from '../../src/engine/judge/clipClassifier.ts';
import { readClipFolder } from '../../src/node/clipFolder.ts';
import { fixtureModels } from './helpers/engine.ts';
import { testLexicon } from './helpers/fakeChatEngine.ts';

const solid = (name: string, size = 48): RgbaImage => {
  const [r, g, b] = worldValue('colour', name).rgb!;
  return createImage(size, size, [r, g, b, 255]);
};

describe('tiny CLIP fixture through transformers.js', () => {
  let classifier: ClipClassifier;
  const fetchSpy = vi.spyOn(globalThis, 'fetch');
  beforeAll(async () => {
    classifier = await createClipClassifier(await readClipFolder(fixtureModels + 'tiny-clip'), { id: 'tiny-clip' });
  });
  afterAll(async () => {
    await classifier?.release();
    fetchSpy.mockRestore();
  });

  it('scores a red image as red and a blue one as blue; a grey one as neither colour', async () => {
    const labels = ['a photo of red', 'a photo of blue', 'an ordinary object'];
    const scores = await classifier.classify([solid('red'), solid('blue'), createImage(48, 48, [128, 128, 128, 255])], labels);
    const best = scores.map((s) => labels[s.indexOf(Math.max(...s))]);
    expect(best).toEqual(['a photo of red', 'a photo of blue', 'an ordinary object']);
    for (const s of scores) expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5); // softmax over the captions
    expect(scores[0]![0]).toBeGreaterThan(0.99);
  });

  it("reads colours as the fixture's geometry says: orange is nearer red than blue is", async () => {
    const [s] = await classifier.classify([solid('orange')], ['a photo of red', 'a photo of blue']);
    expect(s![0]).toBeGreaterThan(s![1]!);
  });

  it('judges banned concepts with the captions clipJudge builds (alternatives from the world and WordNet)', async () => {
    const judge = createClipJudge(classifier, { lexicon: testLexicon() });
    const v = await judge.judge([solid('red'), solid('blue'), solid('white')], ['red']);
    expect(v.map((x) => x.present)).toEqual([true, false, false]);
    expect(v[0]!.concepts[0]!.detail).toMatch(/top caption "a (photo|picture) of red"/);
    expect(v[1]!.concepts[0]!.detail).toMatch(/top caption "a (photo|picture) of blue"/);
    const crimson = clipPromptSet('crimson', { lexicon: testLexicon() });
    const [c] = await classifier.classify([solid('red')], [...crimson.present, ...crimson.absent]);
    expect(c!.indexOf(Math.max(...c!))).toBeLessThan(crimson.present.length); // "crimson" is its own token, pointing at red
  });

  it('never touches the network, and a file it cannot open is judge-file-corrupt', async () => {
    expect(fetchSpy).not.toHaveBeenCalled();
    const { env } = await import('@huggingface/transformers');
    expect(env.allowRemoteModels).toBe(false);
    expect((await env.fetch('https://huggingface.co/Xenova/clip-vit-base-patch16/resolve/main/config.json')).status).toBe(404);
    const files = await readClipFolder(fixtureModels + 'tiny-clip');
    await expect(createClipClassifier({ ...files, model: new Uint8Array([1, 2, 3]) }, { id: 'broken' })).rejects.toMatchObject({ code: 'judge-file-corrupt' });
    await expect(createClipClassifier({ ...files, config: new TextEncoder().encode('{"model_type": "nonsense"}') }, { id: 'not-clip' })).rejects.toThrow(/model_type "nonsense", not "clip"/);
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});
