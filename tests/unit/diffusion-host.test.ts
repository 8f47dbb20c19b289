// The worker's logic (src/engine/diffusionHost.ts) in Node: TIN's rewrite sent as a message.
import * as ort from 'onnxruntime-web';
import { expect, test } from 'vitest';
import { METHODS } from '../../src/core/tin/methods.ts';
import { createDiffusionHost } from '../../src/engine/diffusionHost.ts';
import type { HostRequest, HostResponse, WireSchedule } from '../../src/engine/protocol.ts';
import { fsFetcher } from '../../src/node/fsFetcher.ts';
import { appManifest, fixtureManifest, fixtureModels, publicDir } from './helpers/engine.ts';
import { worldConceptOf } from '../../src/core/judge/worldJudge.ts';
import { drawScene } from '../../src/core/world/draw.ts';
import { mulberry32 } from '../../src/core/random.ts';

/** TIN's schedule on the wire: u for steps 0..S-1, the pending rewrite from S. */
const tin = (steps: number, at: number): WireSchedule => ({
  prompts: ['a red cat', { pending: 'rewrite' }, ''],
  steps: Array.from({ length: steps }, (_, i) => ({ prompt: i < at ? 0 : 1, negative: 2 })),
});

function host(manifest = fixtureManifest, root = fixtureModels) {
  const waiters = new Map<number, (m: HostResponse) => void>();
  const handle = createDiffusionHost({
    ort,
    manifest,
    fetchManifest: async () => manifest,
    fetcher: fsFetcher(root),
    graphsBaseUrl: publicDir + 'graphs/',
    capabilities: async () => ({ webgpu: false, shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0 }),
    encodePng: async () => new Uint8Array(8),
    post: (m) => {
      if (m.type !== 'progress' && m.type !== 'preview') waiters.get(m.id)?.(m);
    },
  });
  const send = (m: HostRequest): Promise<HostResponse> => {
    const done = new Promise<HostResponse>((r) => waiters.set(m.id, r));
    void handle(m);
    return done;
  };
  return { handle, send };
}

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

test('SLD survives the worker: its safety concept and warmup reach the loop', async () => {
  const h = host();
  await h.send({ type: 'load', id: 1, modelId: 'tiny-sd', provider: 'wasm' });
  const schedule = METHODS.sld.schedule({ query: 'a red cat', concepts: ['red'], steps: 6, switchAt: 2 });
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
