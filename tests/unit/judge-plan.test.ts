// Which judge checks a policy on a model (src/core/policy/judgePlan.ts), and the manifest's CLIP judge entries.
import { describe, expect, it } from 'vitest';
import { assertPinned, findModel, judgeFiles, parseManifest, unpinnedUrls, type ModelEntry } from '../../src/core/manifest.ts';
import { compilePolicy } from '../../src/core/policy/compile.ts';
import { judgePlan } from '../../src/core/policy/judgePlan.ts';
import { appManifest, fixtureManifest } from './helpers/engine.ts';
import { testLexicon } from './helpers/fakeChatEngine.ts';

const lexicon = testLexicon();
const policy = (...concepts: string[]) => compilePolicy(concepts, { lexicon });

describe('judgePlan', () => {
  const world = findModel(appManifest, 'ores-tiny-world');
  const clip = findModel(fixtureManifest, 'tiny-sd-clip');
  const none = findModel(fixtureManifest, 'tiny-sd');

  it('the world judge checks world values and refuses concepts it cannot see', () => {
    expect(judgePlan(policy('crimson'), world)).toEqual({ kind: 'world', concepts: [{ concept: 'crimson', attribute: 'colour', value: 'red', index: 0 }] });
    expect(judgePlan(policy('red', 'dog'), world)).toMatchObject({ kind: 'none', reason: expect.stringMatching(/cannot see "dog"/) });
  });

  it('a model without a judge is not checked', () => {
    expect(judgePlan(policy('red'), none)).toEqual({ kind: 'none', reason: 'no judge for "Tiny random SD (test fixture)"' });
  });

  it('a CLIP judge checks any concept, with captions built with the lexicon, and is named in the plan', () => {
    const plan = judgePlan(policy('dog', 'red'), clip, { lexicon });
    expect(plan.kind).toBe('clip');
    if (plan.kind !== 'clip') return;
    expect(plan.judge).toBe('CLIP zero-shot judge (tiny-clip)');
    expect(plan.sets.map((s) => s.concept)).toEqual(['dog', 'red']);
    expect(plan.sets[0]!.present).toEqual(['a photo of dog', 'a picture of dog']);
    expect(plan.sets[0]!.absent.length).toBeGreaterThan(4); // WordNet siblings and neutral scenes
    expect(plan.sets[1]!.absent).toEqual(expect.arrayContaining(['a photo of blue']));
    // Without the lexicon there are fewer alternatives, but still a plan.
    const bare = judgePlan(policy('dog'), clip);
    expect(bare.kind === 'clip' && bare.sets[0]!.absent.length).toBeLessThan(plan.sets[0]!.absent.length);
  });
});

describe('a CLIP judge in the manifest', () => {
  const sd = findModel(appManifest, 'sd-turbo');
  it('the hub SD models name Xenova/clip-vit-base-patch16 at a commit, never a branch', () => {
    for (const id of ['sd-turbo', 'sd21-base']) {
      const j = findModel(appManifest, id).judge;
      expect(j?.kind).toBe('clip');
      const files = judgeFiles(findModel(appManifest, id));
      expect(files.map((f) => f.role)).toEqual(['model', 'config', 'tokenizer', 'tokenizerConfig', 'preprocessorConfig']);
      for (const f of files) expect(f.url).toMatch(/^https:\/\/huggingface\.co\/Xenova\/clip-vit-base-patch16\/resolve\/[0-9a-f]{40}\//);
    }
    expect(unpinnedUrls(sd)).toEqual([]);
  });

  it('a judge file on a branch makes the whole entry unpinned (refused before any download)', () => {
    const entry = structuredClone(sd) as ModelEntry;
    if (entry.judge?.kind !== 'clip') throw new Error('expected a clip judge');
    entry.judge.files.model.path = 'https://huggingface.co/Xenova/clip-vit-base-patch16/resolve/main/onnx/model.onnx';
    expect(unpinnedUrls(entry)).toEqual([entry.judge.files.model.path]);
    expect(() => assertPinned(entry)).toThrow(expect.objectContaining({ code: 'unpinned-model-url' }));
  });

  it('local judge files resolve against the entry and carry their checks', () => {
    const files = judgeFiles(findModel(fixtureManifest, 'tiny-sd-clip'), 'http://app.example/fixtures/');
    expect(files[0]).toMatchObject({ role: 'model', url: 'http://app.example/fixtures/tiny-clip/onnx/model.onnx', bytes: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('a clip judge without its files, or of an unknown kind, is a bad manifest', () => {
    const json = (judge: unknown) => ({ version: 1, defaultModel: 'x', models: [{ ...structuredClone(sd), id: 'x', judge }] });
    expect(() => parseManifest(json({ kind: 'clip', name: 'c', files: { model: { path: 'm.onnx' } } }))).toThrow(expect.objectContaining({ code: 'bad-manifest' }));
    expect(() => parseManifest(json({ kind: 'vqa', path: 'm.onnx' }))).toThrow(expect.objectContaining({ code: 'bad-manifest' }));
    expect(() => parseManifest(json({ kind: 'clip', files: sd.judge!.kind === 'clip' ? sd.judge!.files : {} }))).toThrow(/name/);
  });
});
