// The first five minutes (issue 13): warm-up before Generate, lessons, export with provenance,
// the phone layout, long prompts, models that cannot run here, and axe on the normal and kiosk pages.
// Real worker, embedded model, WebGPU on SwiftShader: few generations, few steps.
import AxeBuilder from '@axe-core/playwright';
import { decode } from 'fast-png';
import { readFile } from 'node:fs/promises';
import { expect, test, type Download, type Page } from '@playwright/test';
import { readTextChunks } from '../../src/core/export/pngText.ts';

const MODEL_TIMEOUT = 240_000;
const RUN_TIMEOUT = 400_000;
test.describe.configure({ timeout: 900_000 });

async function bytesOf(download: Download): Promise<Uint8Array> {
  return new Uint8Array(await readFile((await download.path())!));
}

async function noAxeViolations(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const summary = violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  expect(summary, `axe on ${what}`).toEqual([]);
}

test('the GPU is warmed up before Generate is enabled; the first Generate is then as fast as the second (times printed)', async ({ page }) => {
  // On WebGPU: its programs are compiled on first use (WASM, when measured faster, warms up in a blink).
  await page.addInitScript(() => localStorage.setItem('ores.settings.v1', JSON.stringify({ provider: 'webgpu' })));
  await page.goto('/');
  const generate = page.getByRole('button', { name: 'Generate' });
  await expect(generate).toBeDisabled();
  const loadStart = Date.now();
  await expect(page.getByTestId('status')).toContainText('Preparing the GPU', { timeout: MODEL_TIMEOUT });
  const warmStart = Date.now();
  await expect(generate).toBeDisabled();
  await expect(page.getByTestId('generate-waiting')).toHaveText('Preparing the GPU…');
  await expect(generate).toBeEnabled({ timeout: MODEL_TIMEOUT });
  console.log(`load ${((warmStart - loadStart) / 1000).toFixed(1)} s, warm-up ${((Date.now() - warmStart) / 1000).toFixed(1)} s`);
  await expect(page.getByTestId('model-ready')).toContainText('Ready');
  await expect(page.locator('#model-error')).toHaveCount(0);

  await page.locator('#concepts').fill('');
  await page.locator('#prompt').fill('a large blue circle on a navy background');
  await page.locator('#steps').fill('3');
  const times: number[] = [];
  for (let i = 0; i < 2; i++) {
    const t0 = Date.now();
    await generate.click();
    await expect(page.getByTestId('status')).toContainText(/^Done/, { timeout: RUN_TIMEOUT });
    times.push((Date.now() - t0) / 1000);
    // the focus goes to the result, not to the page body
    await expect(page.locator('article[data-run="plain"]')).toBeFocused();
  }
  console.log(`first Generate ${times[0]!.toFixed(1)} s, second ${times[1]!.toFixed(1)} s (3 steps, SwiftShader)`);
  await noAxeViolations(page, 'the normal page with a result');
});

test('Cancel stops the warm-up; Generate is enabled afterwards (time printed)', async ({ page }) => {
  // On WebGPU, where compiling the GPU programs makes the warm-up long enough to cancel (measured
  // WASM is faster here, and its warm-up is over in a blink).
  await page.addInitScript(() => localStorage.setItem('ores.settings.v1', JSON.stringify({ provider: 'webgpu' })));
  await page.goto('/');
  await expect(page.getByTestId('status')).toContainText('Preparing the GPU', { timeout: MODEL_TIMEOUT });
  const cancel = page.getByRole('button', { name: 'Cancel' });
  await expect(cancel).toBeEnabled();
  const t0 = Date.now();
  await cancel.click();
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled({ timeout: MODEL_TIMEOUT });
  console.log(`warm-up cancelled after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await expect(page.getByTestId('status')).not.toContainText('Preparing the GPU');
});

test('a lesson fills policy and prompt and runs; downloads carry their provenance; the comparison PNG decodes with its text chunks', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Also generate ORIGINAL').check();
  await page.getByLabel('Also generate NEGATIVE PROMPT').uncheck();
  await page.getByLabel('Also generate BLACK LIST').uncheck();
  await page.locator('#steps').fill('4'); // S = round(4 * 0.15) = 1
  await page.locator('#seed').fill('7');
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled({ timeout: MODEL_TIMEOUT });
  const lessons = page.getByTestId('lessons');
  await lessons.getByLabel('Generate right away').check();
  await lessons.getByRole('button', { name: 'A synonym the blacklist misses' }).click();
  await expect(page.locator('#concepts')).toHaveValue('red');
  await expect(page.locator('#prompt')).toHaveValue('a large crimson circle on a navy background');
  await expect(page.getByTestId('lesson-look')).toContainText('crimson');
  await expect(page.locator('#steps')).toHaveValue('4');

  const tin = page.locator('[data-run="tin"]');
  await expect(tin.getByTestId('result-image')).toBeVisible({ timeout: RUN_TIMEOUT });
  await expect(page.locator('[data-run="original"]').getByTestId('result-image')).toBeVisible({ timeout: RUN_TIMEOUT });
  await expect(tin.locator('.subtitle')).toHaveText('step 1 on u, steps 2–4 on u′');
  // the results grid has room for 4 cards in one row at common laptop widths
  const columns = () => page.locator('.cards').evaluate((e) => getComputedStyle(e).gridTemplateColumns.split(' ').length);
  expect(await columns()).toBeGreaterThanOrEqual(4);
  await page.setViewportSize({ width: 1440, height: 900 });
  expect(await columns()).toBeGreaterThanOrEqual(4);
  const uPrime = (await page.getByTestId('rewrite-u-prime').textContent())!.trim();
  expect(uPrime).not.toMatch(/crimson|red/);

  const one = page.waitForEvent('download');
  await tin.getByRole('button', { name: 'Download PNG' }).click();
  const png = await bytesOf(await one);
  expect(decode(png).width).toBe(32);
  expect(readTextChunks(png)).toMatchObject({ method: 'TIN', prompt: 'a large crimson circle on a navy background', 'policy concepts': 'red', model: 'ores-tiny-world', seed: '7', steps: '4', 'switch step S': '1' });
  expect(readTextChunks(png).rewrite).toBeTruthy();

  const both = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export comparison (PNG)' }).click();
  const file = await both;
  expect(file.suggestedFilename()).toBe('ores-comparison-seed7.png');
  const comparison = await bytesOf(file);
  const d = decode(comparison);
  expect(d.width).toBe(16 + 2 * (256 + 16));
  expect(readTextChunks(comparison)).toMatchObject({ labels: 'TIN, ORIGINAL', prompt: 'a large crimson circle on a navy background', 'policy concepts': 'red', seed: '7' });
});

test('phone: policy, prompt and Generate come first, the side panels are folded; a long prompt says which words are cut', async ({ browser }) => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto('/');
  const prompt = await page.locator('#prompt').boundingBox();
  expect(prompt!.y + prompt!.height).toBeLessThan(844);
  const policy = await page.locator('#concepts').boundingBox();
  const generate = await page.getByRole('button', { name: 'Generate' }).boundingBox();
  const side = await page.getByTestId('side-panels').boundingBox();
  expect(policy!.y).toBeLessThan(prompt!.y);
  expect(generate!.y).toBeLessThan(side!.y);
  await expect(page.getByTestId('side-panels')).not.toHaveAttribute('open');
  await expect(page.getByRole('heading', { name: 'Image model' })).toBeHidden();

  const words = 'a small red circle and a large blue square on a navy background with stripes'.split(' ');
  let long = '';
  for (let i = 0; long.length < 2000; i++) long += `${words[i % words.length]} `;
  await page.locator('#prompt').fill(long.trim());
  const cut = page.getByTestId('prompt-cut');
  await expect(cut).toContainText('the model reads only the first 77');
  await expect(cut).toContainText(/\(\d+ words\)/);
  await page.close();
});

test('models that cannot run here are shown with the reason and cannot be picked; the typed settings stay', async ({ page }) => {
  await page.goto('/');
  await page.locator('#steps').fill('9');
  await page.locator('#guidance').fill('3');
  const turbo = page.locator('input[name="model"][value="sd-turbo"]');
  await expect(page.locator('label.model', { hasText: 'SD-Turbo' })).toContainText('Cannot run on this device: its 16-bit weights need a GPU with shader-f16');
  await expect(turbo).toBeDisabled();
  await turbo.click({ force: true });
  await expect(turbo).not.toBeChecked();
  await expect(page.locator('#steps')).toHaveValue('9');
  await expect(page.locator('#guidance')).toHaveValue('3');
});

test('kiosk: the placeholder suggests no banned word; axe finds no violations', async ({ page }) => {
  await page.goto('/?kiosk=/tests/fixtures/policies/kiosk-red.json');
  await expect(page.getByTestId('kiosk-badge')).toBeVisible();
  const placeholder = await page.locator('#prompt').getAttribute('placeholder');
  expect(placeholder).toMatch(/^e\.g\. an? /);
  expect(placeholder).not.toMatch(/\b(red|crimson|scarlet)\b/);
  await expect(page.getByTestId('vocabulary').getByRole('button', { name: 'crimson' })).toBeDisabled();
  await noAxeViolations(page, 'the kiosk page');
});
