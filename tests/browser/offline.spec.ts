import { expect, test, type BrowserContext, type Page } from '@playwright/test';

// Offline use: once downloaded through the worker, a model's files live in IndexedDB and a later
// load in a fresh page (a fresh worker) of the same browser profile needs no network for them.
const MANIFEST = '/tests/fixtures/models/manifest.json';
const MODEL_FILES = '**/tests/fixtures/models/tiny-sd/**';
const GRAPHS = '**/graphs/*.onnx';

type RunResult = { ok: boolean; provider?: string; pngHead?: number[]; rgba?: number[]; error?: { code?: string; message: string } };
type Harness = {
  run: (o: object) => Promise<RunResult>;
  deleteCache: (o: object) => Promise<{ ok: boolean; files?: number; error?: { code?: string; message: string } }>;
};

async function open(page: Page) {
  await page.goto('/tests/browser/harness.html');
  await expect(page).toHaveTitle('ready');
}
const run = (page: Page, modelId = 'tiny-sd', provider: 'wasm' | 'webgpu' = 'wasm'): Promise<RunResult> =>
  page.evaluate((o) => (window as unknown as { harness: Harness }).harness.run(o), {
    modelId,
    manifestUrl: MANIFEST,
    provider,
    request: { prompt: 'a red cat', seed: 5, steps: 3 },
  });
const deleteCache = (page: Page, modelId: string) =>
  page.evaluate((o) => (window as unknown as { harness: Harness }).harness.deleteCache(o), { modelId, manifestUrl: MANIFEST });

/** Takes the network away from model files and helper graphs (the manifest itself stays reachable); counts what was blocked. */
async function goOffline(context: BrowserContext): Promise<string[]> {
  const blocked: string[] = [];
  for (const pattern of [MODEL_FILES, GRAPHS]) {
    await context.route(pattern, (route) => {
      blocked.push(route.request().url());
      return route.abort('internetdisconnected');
    });
  }
  return blocked;
}

test('a model loaded once loads and generates again offline, in a fresh page and worker, from IndexedDB', async ({ context, page }) => {
  await open(page);
  const online = await run(page);
  expect(online.error).toBeUndefined();
  expect(online.ok).toBe(true);

  const blocked = await goOffline(context);
  const page2 = await context.newPage();
  await open(page2);
  const offline = await run(page2);
  expect(offline.error).toBeUndefined();
  expect(offline.ok).toBe(true);
  expect(offline.pngHead).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  expect(blocked).toEqual([]); // nothing even tried the network
});

test('deleting a model frees what it alone uses; an offline load of it then fails naming the file, the other model still loads', async ({ context, page }) => {
  await open(page);
  expect((await run(page)).ok).toBe(true);
  expect((await run(page, 'tiny-sd-external')).ok).toBe(true); // shares every file but the UNet with tiny-sd

  expect(await deleteCache(page, 'tiny-sd')).toEqual({ ok: true, files: 1 }); // its UNet; the rest and the graphs stay in use

  const blocked = await goOffline(context);
  const page2 = await context.newPage();
  await open(page2);
  const offline = await run(page2);
  expect(offline.ok).toBe(false);
  expect(['model-download-failed', 'model-file-missing']).toContain(offline.error!.code);
  expect(offline.error!.message).toMatch(/Could not download http:\/\/localhost:\d+\/tests\/fixtures\/models\/tiny-sd\/unet\/model\.onnx/);
  expect(blocked.length).toBeGreaterThan(0);
  expect(blocked.every((u) => u.endsWith('/tests/fixtures/models/tiny-sd/unet/model.onnx'))).toBe(true);
  const other = await run(page2, 'tiny-sd-external');
  expect(other.error).toBeUndefined();

  // The last model takes the shared files and the helper graphs with it: 7 files + 3 graphs.
  expect(await deleteCache(page2, 'tiny-sd-external')).toEqual({ ok: true, files: 10 });
  expect(await deleteCache(page2, 'tiny-sd')).toEqual({ ok: true, files: 0 });
  const unknown = await deleteCache(page2, 'nope');
  expect(unknown.error).toMatchObject({ code: 'unknown-model' });
});

test('a UNet with external data (model.onnx + model.onnx_data) loads on WebGPU in the worker, and offline from the cache', async ({ context, page }) => {
  await open(page);
  const external = await run(page, 'tiny-sd-external', 'webgpu');
  expect(external.error).toBeUndefined();
  expect(external.provider).toBe('webgpu');
  const single = await run(page, 'tiny-sd', 'webgpu');
  expect(external.rgba).toEqual(single.rgba); // the same weights, read from the external file

  const blocked = await goOffline(context);
  const page2 = await context.newPage();
  await open(page2);
  const offline = await run(page2, 'tiny-sd-external', 'webgpu');
  expect(offline.error).toBeUndefined();
  expect(offline.rgba).toEqual(external.rgba);
  expect(blocked).toEqual([]);
});
