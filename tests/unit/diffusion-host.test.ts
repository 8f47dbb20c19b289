// The worker's logic (src/engine/diffusionHost.ts) in Node: TIN's rewrite sent as a message, tin-mask's masks sent back.
import * as ort from 'onnxruntime-web';
import { expect, test } from 'vitest';
import { METHODS } from '../../src/core/tin/methods.ts';
import { DiffusionClient, type WorkerLike } from '../../src/engine/diffusionClient.ts';
import { createDiffusionHost, type HostDeps } from '../../src/engine/diffusionHost.ts';
import type { HostRequest, HostResponse, WireSchedule } from '../../src/engine/protocol.ts';
import { fsFetcher } from '../../src/node/fsFetcher.ts';
import type { FileFetcher } from '../../src/engine/fetcher.ts';
import { findModel } from '../../src/core/manifest.ts';
import { compilePolicy } from '../../src/core/policy/compile.ts';
import { judgePlan } from '../../src/core/policy/judgePlan.ts';
import { createImage } from '../../src/core/metrics/image.ts';
import { testLexicon } from './helpers/fakeChatEngine.ts';
import { appManifest, fixtureManifest, fixtureModels, publicDir } from './helpers/engine.ts';
import { worldConceptOf } from '../../src/core/judge/worldJudge.ts';
import { drawScene } from '../../src/core/world/draw.ts';
import { mulberry32 } from '../../src/core/random.ts';

/** TIN's schedule on the wire: u for steps 0..S-1, the pending rewrite from S. */
const tin = (steps: number, at: number): WireSchedule => ({
  prompts: ['a red cat', { pending: 'rewrite' }, ''],
  steps: Array.from({ length: steps }, (_, i) => ({ prompt: i < at ? 0 : 1, negative: 2 })),
});

function hostDeps(post: (m: HostResponse) => void, manifest = fixtureManifest, root = fixtureModels, fetcher: FileFetcher = fsFetcher(root)): HostDeps {
  return {
    ort,
    manifest,
    fetchManifest: async () => manifest,
    fetcher,
    graphsBaseUrl: publicDir + 'graphs/',
    capabilities: async () => ({ webgpu: false, shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0 }),
    encodePng: async () => new Uint8Array(8),
    post,
  };
}

function host(manifest = fixtureManifest, root = fixtureModels, fetcher: FileFetcher = fsFetcher(root)) {
  const waiters = new Map<number, (m: HostResponse) => void>();
  /** What the page would draw while a generation runs. */
  const streamed: HostResponse[] = [];
  const handle = createDiffusionHost(
    hostDeps(
      (m) => {
        if (m.type === 'preview' || m.type === 'mask') streamed.push(m);
        else if (m.type !== 'progress') waiters.get(m.id)?.(m);
      },
      manifest,
      root,
      fetcher,
    ),
  );
  const send = (m: HostRequest): Promise<HostResponse> => {
    const done = new Promise<HostResponse>((r) => waiters.set(m.id, r));
    void handle(m);
    return done;
  };
  return { handle, send, streamed };
}

test("on load the page learns the most steps the model's scheduler can run", async () => {
  // tiny-sd's manifest allows 1000; its DDIM's steps_offset 1 would reach timestep 1000 there.
  expect(await host().send({ type: 'load', id: 1, modelId: 'tiny-sd', provider: 'wasm' })).toMatchObject({ type: 'loaded', maxSteps: 999 });
});

test('a rewrite that arrives before step S is kept for step S (not dropped)', async () => {
  const h = host();
  expect((await h.send({ type: 'load', id: 1, modelId: 'tiny-sd', provider: 'wasm' })).type).toBe('loaded');
  const result = h.send({ type: 'generate', id: 2, request: { prompt: 'a red cat', seed: 3, steps: 6, schedule: tin(6, 3) } });
  void h.handle({ type: 'provide-prompt', id: 2, key: 'rewrite', text: 'a blue dog' }); // at once: long before step 3
  const m = await result;
  expect(m.type).toBe('result');
  if (m.type !== 'result') return;
  expect(m.output.trace.map((t) => t.promptText)).toEqual(['a red cat', 'a red cat', 'a red cat', 'a blue dog', 'a blue dog', 'a blue dog']);
}, 120_000);

test('a rewrite that failed early fails the run at step S with its reason', async () => {
  const h = host();
  await h.send({ type: 'load', id: 1, modelId: 'tiny-sd', provider: 'wasm' });
  const result = h.send({ type: 'generate', id: 2, request: { prompt: 'a red cat', seed: 3, steps: 4, schedule: tin(4, 2) } });
  void h.handle({ type: 'provide-prompt', id: 2, key: 'rewrite', error: 'no safe rewrite' });
  const m = await result;
  expect(m.type === 'error' && m.error).toMatchObject({ code: 'rewrite-failed', message: 'no safe rewrite' });
}, 120_000);

test("tin-mask's mask of each preview step reaches the page as a message of its own", async () => {
  const h = host();
  await h.send({ type: 'load', id: 1, modelId: 'tiny-sd', provider: 'wasm' });
  const schedule = METHODS['tin-mask'].schedule({ query: 'a red cat', concepts: ['red'], steps: 6, switchStep: 2, rewritten: 'a blue cat' });
  const m = await h.send({ type: 'generate', id: 2, request: { prompt: 'a red cat', seed: 3, steps: 6, previewEvery: 1, schedule: schedule as WireSchedule } });
  expect(m.type).toBe('result');
  const masks = h.streamed.flatMap((s) => (s.type === 'mask' ? [s] : []));
  // Masked steps 3..6, the last one has no preview; the fixture's latent grid is 8 x 8.
  expect(masks.map((s) => [s.id, s.step, s.mask.height, s.mask.width, s.mask.data.length])).toEqual([3, 4, 5].map((step) => [2, step, 8, 8, 64]));
  expect(masks.every((s) => s.mask.data.every((v) => v >= 0 && v <= 1))).toBe(true);
  expect(masks.some((s) => s.mask.data.some((v) => v > 0))).toBe(true); // u' = "a blue cat" differs somewhere
  expect(h.streamed.filter((s) => s.type === 'preview').map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);

  const plain = await h.send({ type: 'generate', id: 3, request: { prompt: 'a red cat', seed: 3, steps: 6, previewEvery: 1 } });
  expect(plain.type).toBe('result');
  expect(h.streamed.filter((s) => s.id === 3 && s.type === 'mask')).toEqual([]); // no mask without tin-mask
}, 120_000);

test("the client hands each mask to the run's onMask, beside its previews", async () => {
  const listeners: ((e: MessageEvent<HostResponse>) => void)[] = [];
  const handle = createDiffusionHost(hostDeps((m) => listeners.forEach((l) => l({ data: m } as MessageEvent<HostResponse>))));
  const worker: WorkerLike = { postMessage: (m) => void handle(m), addEventListener: (_type, l) => void listeners.push(l) };
  const client = new DiffusionClient(worker);
  await client.load('tiny-sd', { provider: 'wasm' });
  const seen: string[] = [];
  const rewritten = Promise.resolve('a blue cat');
  await client.generate({
    request: { prompt: 'a red cat', seed: 3, steps: 4, previewEvery: 1, schedule: METHODS['tin-mask'].schedule({ query: 'a red cat', concepts: ['red'], steps: 4, switchStep: 1, rewritten: () => rewritten }) },
    onPreview: (step) => seen.push(`preview ${step}`),
    onMask: (step, mask) => seen.push(`mask ${step} ${mask.width}x${mask.height}`),
  });
  // S = 1: steps 2..4 are masked; no preview (nor mask) after the last step.
  expect(seen).toEqual(['preview 1', 'mask 2 8x8', 'preview 2', 'mask 3 8x8', 'preview 3']);
}, 120_000);

test('SLD survives the worker: its safety concept and warmup reach the loop', async () => {
  const h = host();
  await h.send({ type: 'load', id: 1, modelId: 'tiny-sd', provider: 'wasm' });
  const schedule = METHODS.sld.schedule({ query: 'a red cat', concepts: ['red'], steps: 6, switchStep: 2 });
  const m = await h.send({ type: 'generate', id: 2, request: { prompt: 'a red cat', seed: 3, steps: 6, guidanceScale: 5, schedule: schedule as WireSchedule } });
  expect(m.type).toBe('result');
  if (m.type !== 'result') return;
  expect(m.output.trace.map((t) => t.safetyText)).toEqual(Array(6).fill('red'));
  expect(m.output.trace.map((t) => t.safetyApplied)).toEqual([false, true, true, true, true, true]); // warmup round(6 * 7/50) = 1
  const plain = await h.send({ type: 'generate', id: 3, request: { prompt: 'a red cat', seed: 3, steps: 6, guidanceScale: 5 } });
  expect(plain.type === 'result' && plain.output.rgba.data).not.toEqual(m.output.rgba.data);
}, 120_000);

test("the worker judges an image with the loaded model's own judge; a model without one says so", async () => {
  const h = host(appManifest, publicDir);
  expect((await h.send({ type: 'load', id: 1, modelId: 'ores-tiny-world', provider: 'wasm' })).type).toBe('loaded');
  const image = drawScene({ colour: 'red', shape: 'circle', background: 'navy', pattern: 'plain', size: 'large', count: 'one', position: 'center' }, mulberry32(1));
  const m = await h.send({ type: 'judge', id: 2, image, check: { kind: 'world', concepts: [worldConceptOf('crimson'), worldConceptOf('teal backdrop')] } });
  expect(m.type).toBe('judged');
  if (m.type !== 'judged') return;
  expect(m.judge).toBe('world judge of ores-tiny-world');
  expect(m.verdict.present).toBe(true);
  expect(m.verdict.concepts.map((c) => [c.concept, c.present])).toEqual([['crimson', true], ['teal backdrop', false]]);

  const fixture = host();
  await fixture.send({ type: 'load', id: 1, modelId: 'tiny-sd', provider: 'wasm' });
  const none = await fixture.send({ type: 'judge', id: 2, image, check: { kind: 'world', concepts: [worldConceptOf('red')] } });
  expect(none.type === 'error' && none.error.code).toBe('no-judge');
}, 120_000);

test("a model's CLIP judge opens from its checked files in the worker and judges by the page's captions", async () => {
  const h = host();
  expect((await h.send({ type: 'load', id: 1, modelId: 'tiny-sd-clip', provider: 'wasm' })).type).toBe('loaded');
  const lexicon = testLexicon();
  const plan = judgePlan(compilePolicy(['red'], { lexicon }), findModel(fixtureManifest, 'tiny-sd-clip'), { lexicon });
  if (plan.kind !== 'clip') throw new Error(`expected a clip plan, got ${plan.kind}`);
  const red = createImage(64, 64, [220, 35, 35, 255]);
  const blue = createImage(64, 64, [40, 85, 230, 255]);
  const m = await h.send({ type: 'judge', id: 2, image: red, check: plan });
  expect(m.type === 'judged' && [m.judge, m.verdict.present, m.verdict.concepts[0]!.detail]).toEqual(['CLIP zero-shot judge (tiny-clip)', true, expect.stringMatching(/^top caption "a (photo|picture) of red"/)]);
  const b = await h.send({ type: 'judge', id: 3, image: blue, check: plan });
  expect(b.type === 'judged' && b.verdict.present).toBe(false);
  const world = await h.send({ type: 'judge', id: 4, image: red, check: { kind: 'world', concepts: [worldConceptOf('red')] } });
  expect(world.type === 'error' && world.error.code).toBe('judge-mismatch');
}, 120_000);

test('a CLIP judge file that fails its checksum is fetched once more, then refused as corrupt (and the next judge call tries again)', async () => {
  const files = fsFetcher(fixtureModels);
  const fetched: string[] = [];
  const evicted: string[] = [];
  let corrupt = true;
  const fetcher: FileFetcher = {
    async fetchBytes(url, p, s) {
      fetched.push(url);
      const bytes = await files.fetchBytes(url, p, s);
      return corrupt && url.endsWith('tiny-clip/config.json') ? bytes.map((x, i) => (i === 3 ? x ^ 1 : x)) : bytes;
    },
    evict: async (url) => void evicted.push(url),
  };
  const h = host(fixtureManifest, fixtureModels, fetcher);
  await h.send({ type: 'load', id: 1, modelId: 'tiny-sd-clip', provider: 'wasm' });
  const lexicon = testLexicon();
  const plan = judgePlan(compilePolicy(['red'], { lexicon }), findModel(fixtureManifest, 'tiny-sd-clip'), { lexicon });
  if (plan.kind !== 'clip') throw new Error('expected a clip plan');
  const image = createImage(64, 64, [220, 35, 35, 255]);
  const m = await h.send({ type: 'judge', id: 2, image, check: plan });
  expect(m.type === 'error' && m.error).toMatchObject({ code: 'model-file-corrupt', message: expect.stringMatching(/judge's config file .* does not match its SHA-256 checksum, fetched twice/) });
  expect(evicted.filter((u) => u.endsWith('tiny-clip/config.json')).length).toBe(2);
  corrupt = false;
  const again = await h.send({ type: 'judge', id: 3, image, check: plan });
  expect(again.type === 'judged' && again.verdict.present).toBe(true);
}, 120_000);
