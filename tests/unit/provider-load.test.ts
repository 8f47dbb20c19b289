// The worker's 'load' with no provider asked for: each provider that can run the model is loaded
// and timed, the faster stays loaded, and the reason comes back (src/engine/diffusionHost.ts).
import * as ort from 'onnxruntime-web';
import { expect, test } from 'vitest';
import type { Provider } from '../../src/core/capabilities.ts';
import { deviceKey } from '../../src/core/providerChoice.ts';
import { createDiffusionHost } from '../../src/engine/diffusionHost.ts';
import type { Ort } from '../../src/engine/ort.ts';
import type { HostRequest, HostResponse } from '../../src/engine/protocol.ts';
import { fsFetcher } from '../../src/node/fsFetcher.ts';
import { fixtureManifest, fixtureModels, publicDir } from './helpers/engine.ts';

/** Node has no WebGPU: "webgpu" sessions run on WASM here, so both providers load; only the timings are fake. */
const bothProviders = {
  ...ort,
  InferenceSession: { ...ort.InferenceSession, create: (b: Uint8Array, o?: object) => ort.InferenceSession.create(b, { ...o, executionProviders: ['wasm'], preferredOutputLocation: 'cpu' }) },
} as unknown as Ort;

function host(msPerStep: Record<Provider, number>) {
  const timed: Provider[] = [];
  const waiters = new Map<number, (m: HostResponse) => void>();
  const handle = createDiffusionHost({
    ort: bothProviders,
    manifest: fixtureManifest,
    fetchManifest: async () => fixtureManifest,
    fetcher: fsFetcher(fixtureModels),
    graphsBaseUrl: publicDir + 'graphs/',
    capabilities: async () => ({ webgpu: true, shaderF16: false, maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30, adapter: 'fake gpu' }),
    encodePng: async () => new Uint8Array(8),
    post: (m) => {
      if (m.type !== 'progress' && m.type !== 'preview') waiters.get(m.id)?.(m);
    },
    timeStep: async (m) => (timed.push(m.provider), msPerStep[m.provider]),
    hardwareConcurrency: 2,
  });
  const send = async (m: HostRequest) => {
    const done = new Promise<HostResponse>((r) => waiters.set(m.id, r));
    void handle(m);
    const r = await done;
    if (r.type !== 'loaded' && r.type !== 'result') throw new Error(JSON.stringify(r));
    return r;
  };
  return { send, timed };
}

test('measures both providers, keeps the faster loaded, and says why', async () => {
  const h = host({ webgpu: 40, wasm: 12 });
  const r = await h.send({ type: 'load', id: 1, modelId: 'tiny-sd' });
  expect(h.timed).toEqual(['webgpu', 'wasm']);
  // warm: the measurement ran the kept model, so the page does not warm it up a second time.
  expect(r).toMatchObject({ provider: 'wasm', deviceKey: deviceKey('fake gpu', 2), warm: true, choice: { source: 'measured', reason: 'WASM: 12 ms/step vs WebGPU 40 ms/step on this device' } });
  const image = await h.send({ type: 'generate', id: 2, request: { prompt: 'a cat', seed: 1, steps: 2 } });
  expect(image.type === 'result' && image.output.provider).toBe('wasm');

  const g = host({ webgpu: 3, wasm: 50 });
  expect(await g.send({ type: 'load', id: 1, modelId: 'tiny-sd' })).toMatchObject({ provider: 'webgpu', choice: { source: 'measured' } });
}, 120_000);

test('a remembered choice for this device and model is used without measuring; an override wins', async () => {
  const h = host({ webgpu: 40, wasm: 12 });
  const remembered = { deviceKey: deviceKey('fake gpu', 2), modelId: 'tiny-sd', provider: 'webgpu' as const, timings: [{ provider: 'webgpu' as const, msPerStep: 5 }] };
  expect(await h.send({ type: 'load', id: 1, modelId: 'tiny-sd', remembered })).toMatchObject({ provider: 'webgpu', warm: false, choice: { source: 'remembered' } });
  expect(await h.send({ type: 'load', id: 2, modelId: 'tiny-sd', remembered, provider: 'wasm' })).toMatchObject({ provider: 'wasm', warm: false, choice: { source: 'user' } });
  expect(h.timed).toEqual([]);
  // Remembered on another device: measured again.
  await h.send({ type: 'load', id: 3, modelId: 'tiny-sd', remembered: { ...remembered, deviceKey: deviceKey('other gpu', 8) } });
  expect(h.timed).toEqual(['webgpu', 'wasm']);
}, 120_000);
