import { expect, test, type Page } from '@playwright/test';

const FIXTURES = '/tests/fixtures/models/manifest.json';

async function open(page: Page) {
  await page.goto('/tests/browser/harness.html');
  await expect(page).toHaveTitle('ready');
}

type RunResult = {
  ok: boolean;
  provider?: string;
  readbacks?: number;
  rgba?: number[];
  width?: number;
  pngHead?: number[];
  trace?: { promptText: string }[];
  lastStep: number;
  error?: { code?: string; message: string };
};

function run(page: Page, opts: object): Promise<RunResult> {
  return page.evaluate((o) => (window as unknown as { harness: { run: (o: object) => Promise<RunResult> } }).harness.run(o), opts);
}

test('the worker sees real WebGPU (SwiftShader) without shader-f16', async ({ page }) => {
  await open(page);
  const caps = await page.evaluate(() => (window as unknown as { harness: { capabilities: () => Promise<{ webgpu: boolean; shaderF16: boolean }> } }).harness.capabilities());
  expect(caps.webgpu).toBe(true);
  expect(caps.shaderF16).toBe(false);
});

test('WebGPU and WASM give the same image for the same seed; one readback; PNG out', async ({ page }) => {
  await open(page);
  // TIN's schedule, as the app sends it: u for steps 0-1, u' from step 2.
  const schedule = { prompts: ['a photo of a red cat', 'a photo of a blue dog', ''], steps: Array.from({ length: 8 }, (_, i) => ({ prompt: i < 2 ? 0 : 1, negative: 2 })) };
  const request = { prompt: 'a photo of a red cat', seed: 42, steps: 8, schedule };
  const gpu = await run(page, { modelId: 'tiny-sd', manifestUrl: FIXTURES, provider: 'webgpu', request });
  const wasm = await run(page, { modelId: 'tiny-sd', manifestUrl: FIXTURES, provider: 'wasm', request });
  expect(gpu.error).toBeUndefined();
  expect(wasm.error).toBeUndefined();
  expect(gpu.provider).toBe('webgpu');
  expect(wasm.provider).toBe('wasm');
  expect(gpu.readbacks).toBe(1);
  expect(gpu.pngHead).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  expect(gpu.trace!.map((t) => t.promptText)).toEqual(wasm.trace!.map((t) => t.promptText));
  // Tolerance: fp32 kernels differ in summation order between WebGPU and WASM; 2/255 per channel.
  const diff = gpu.rgba!.reduce((m, v, i) => Math.max(m, Math.abs(v - wasm.rgba![i]!)), 0);
  expect(diff).toBeLessThanOrEqual(2);
  const again = await run(page, { modelId: 'tiny-sd', manifestUrl: FIXTURES, provider: 'webgpu', request });
  expect(again.rgba).toEqual(gpu.rgba);
});

test('an fp16 model is refused on a device without shader-f16, with the fallback named', async ({ page }) => {
  await open(page);
  const r = await run(page, { modelId: 'tiny-sd-fp16', manifestUrl: FIXTURES, request: { prompt: 'a cat', seed: 1 } });
  expect(r.ok).toBe(false);
  expect(r.error!.code).toBe('needs-shader-f16');
  expect(r.error!.message).toContain('Use "tiny-sd" instead');
});

test('cancel on WebGPU stops within one step', async ({ page }) => {
  await open(page);
  const r = await run(page, { modelId: 'tiny-sd', manifestUrl: FIXTURES, provider: 'webgpu', request: { prompt: 'a cat', seed: 1, steps: 20 }, cancelAtStep: 3 });
  expect(r.ok).toBe(false);
  expect(r.error!.code).toBe('cancelled');
  expect(r.lastStep).toBeLessThanOrEqual(4);
});
