// The worker's logic (src/engine/diffusionHost.ts) in Node: TIN's rewrite sent as a message.
import * as ort from 'onnxruntime-web';
import { expect, test } from 'vitest';
import { createDiffusionHost } from '../../src/engine/diffusionHost.ts';
import type { HostRequest, HostResponse } from '../../src/engine/protocol.ts';
import { fsFetcher } from '../../src/node/fsFetcher.ts';
import { fixtureManifest, fixtureModels, publicDir } from './helpers/engine.ts';

function host() {
  const waiters = new Map<number, (m: HostResponse) => void>();
  const handle = createDiffusionHost({
    ort,
    manifest: fixtureManifest,
    fetchManifest: async () => fixtureManifest,
    fetcher: fsFetcher(fixtureModels),
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
  const result = h.send({ type: 'generate', id: 2, request: { prompt: 'a red cat', seed: 3, steps: 6, intervention: { rewritten: { pending: 'rewrite' }, at: 3 } } });
  void h.handle({ type: 'provide-prompt', id: 2, key: 'rewrite', text: 'a blue dog' }); // at once: long before step 3
  const m = await result;
  expect(m.type).toBe('result');
  if (m.type !== 'result') return;
  expect(m.output.trace.map((t) => t.promptText)).toEqual(['a red cat', 'a red cat', 'a red cat', 'a blue dog', 'a blue dog', 'a blue dog']);
}, 120_000);

test('a rewrite that failed early fails the run at step S with its reason', async () => {
  const h = host();
  await h.send({ type: 'load', id: 1, modelId: 'tiny-sd', provider: 'wasm' });
  const result = h.send({ type: 'generate', id: 2, request: { prompt: 'a red cat', seed: 3, steps: 4, intervention: { rewritten: { pending: 'rewrite' }, at: 2 } } });
  void h.handle({ type: 'provide-prompt', id: 2, key: 'rewrite', error: 'no safe rewrite' });
  const m = await result;
  expect(m.type === 'error' && m.error).toMatchObject({ code: 'rewrite-failed', message: 'no safe rewrite' });
}, 120_000);
