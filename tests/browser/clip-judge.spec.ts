// A Stable Diffusion-shaped model with a CLIP judge in the app: the tiny SD fixture with the tiny
// CLIP fixture as its judge (tests/fixtures/models/manifest.json, "tiny-sd-clip"). The judge's files
// are downloaded and checked by the worker, transformers.js opens them there, and the TIN card
// names the judge. WASM for speed; nothing leaves the dev server.
import { expect, test } from '@playwright/test';
import { offline } from './appPage.ts';

const APP = '/?manifest=/tests/fixtures/models/manifest.json';
test.describe.configure({ timeout: 300_000 });

test('an image of a model with a CLIP judge is checked by it before it is shown', async ({ page, context }) => {
  const external = await offline(context);
  const judgeFiles: string[] = [];
  context.on('request', (r) => r.url().includes('/tiny-clip/') && judgeFiles.push(new URL(r.url()).pathname));
  await page.goto(APP);
  await page.getByRole('radio', { name: /^Tiny random SD with the tiny CLIP judge/ }).check();
  await page.getByRole('combobox').filter({ hasText: 'WASM' }).selectOption('wasm');
  await page.getByRole('button', { name: /^Download and load \(/ }).click();
  await expect(page.getByTestId('model-ready')).toContainText('Tiny random SD with the tiny CLIP judge', { timeout: 120_000 });

  await page.locator('#concepts').fill('red');
  await page.locator('#prompt').fill('a red cat');
  await page.locator('#steps').fill('2');
  for (const name of ['ORIGINAL', 'BLACK LIST', 'NEGATIVE PROMPT', 'TIN with mask']) await page.getByLabel(`Also generate ${name}`).uncheck();
  await page.getByRole('button', { name: 'Generate' }).click();
  const tin = page.locator('[data-run="tin"]');
  await expect(tin.getByTestId('verification')).toHaveText(/^checked by CLIP zero-shot judge \(tiny-clip\): clean/, { timeout: 240_000 });
  await expect(tin.getByTestId('result-image')).toBeVisible();
  expect([...new Set(judgeFiles)].sort()).toEqual(
    ['config.json', 'onnx/model.onnx', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'].map((f) => `/tests/fixtures/models/tiny-clip/${f}`),
  );
  expect(external).toEqual([]);
});
