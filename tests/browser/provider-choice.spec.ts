// The app picks the image model's provider from a warm step timed on each (WebGPU on SwiftShader
// and WASM here), says so in the status line, remembers it, and follows the user's override.
import { expect, test } from '@playwright/test';

test.describe.configure({ timeout: 600_000 });
const MODEL_TIMEOUT = 300_000;
const MEASURED = /Image model on (WebGPU|WASM): [\d.]+ ms\/step vs (WebGPU|WASM) [\d.]+ ms\/step on this device/;

test('measures both providers at load, shows why in the status line, remembers it, and follows an override', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: MODEL_TIMEOUT });
  const status = page.getByTestId('status');
  // once ready (the measurement warmed the kept model: no second warm-up), the status line says which provider and why
  await expect(status).toHaveText(MEASURED, { timeout: MODEL_TIMEOUT });
  const [, chosen, other] = (await status.textContent())!.match(MEASURED)!;
  expect(other).not.toBe(chosen);
  // The faster one was kept: its time is the smaller of the two.
  const [mine, theirs] = [...(await status.textContent())!.matchAll(/([\d.]+) ms\/step/g)].map((m) => Number(m[1]));
  expect(mine).toBeLessThanOrEqual(theirs!);
  await expect(page.getByTestId('model-ready')).toContainText(chosen === 'WebGPU' ? 'WebGPU' : 'WASM');
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('ores.provider.v1') ?? '{}'));
  expect(stored['ores-tiny-world']).toMatchObject({ modelId: 'ores-tiny-world', provider: chosen === 'WebGPU' ? 'webgpu' : 'wasm' });

  // Next visit, same device: the remembered choice, no new measurement.
  await page.reload();
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: MODEL_TIMEOUT });
  await expect(status).toContainText(`Image model on ${chosen}:`, { timeout: MODEL_TIMEOUT });
  await expect(status).toContainText('(measured earlier)');

  // The user's choice wins.
  const forced = chosen === 'WebGPU' ? 'wasm' : 'webgpu';
  await page.getByRole('combobox', { name: /^Run on/ }).selectOption(forced);
  await expect(status).toHaveText(`Image model on ${forced === 'wasm' ? 'WASM' : 'WebGPU'}: chosen in the settings.`, { timeout: MODEL_TIMEOUT });
  await expect(page.getByTestId('model-ready')).toContainText(forced === 'wasm' ? 'WASM' : 'WebGPU');
});
