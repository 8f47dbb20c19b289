// The app end to end: the real diffusion worker with the embedded model on the provider measured
// faster at load (WebGPU on SwiftShader or WASM; tests/browser/provider-choice.spec.ts checks the choice).
// Few generations (each denoising step takes a while on a CPU GPU), short step counts.
import { expect, test } from '@playwright/test';
import { FALLBACK_LABEL, modelReady, offline, RUN_TIMEOUT } from './appPage.ts';

// A step of the embedded model takes seconds on SwiftShader (more on a busy machine).
test.describe.configure({ timeout: 600_000 });

test('loads the embedded model without any hub, generates an image, downloads the PNG', async ({ page, context }) => {
  const external = await offline(context);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'ORES', level: 1 })).toBeVisible();
  await modelReady(page);
  await page.locator('#concepts').fill('');
  await page.locator('#prompt').fill('a large blue circle on a navy background');
  await page.locator('#steps').fill('4');
  await page.getByRole('button', { name: 'Generate' }).click();
  const card = page.locator('[data-run="plain"]');
  await expect(card.getByTestId('result-image')).toBeVisible({ timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('status')).toContainText(/done/i);
  const download = page.waitForEvent('download');
  await card.getByRole('button', { name: 'Download PNG' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('ores-plain-seed42.png');
  const stream = await file.createReadStream();
  const head: Buffer = await new Promise((resolve) => stream.once('data', (b) => resolve(b as Buffer)));
  expect([...head.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  expect(external).toEqual([]);
});

test('TIN with a banned concept: fallback rewrite shown, concept word highlighted, ORIGINAL beside it, timeline switches at S', async ({ page, context }) => {
  const external = await offline(context);
  await page.goto('/');
  await modelReady(page);
  await page.locator('#concepts').fill('red');
  await page.locator('#prompt').fill('a red circle on a navy background');
  await page.locator('#steps').fill('6'); // S = round(6 * 0.15) = 1
  await page.getByLabel('Also generate ORIGINAL').check();
  await page.getByLabel('Also generate NEGATIVE PROMPT').uncheck();
  await page.getByRole('button', { name: 'Generate' }).click();

  await expect(page.getByTestId('rewrite-label')).toHaveText(FALLBACK_LABEL, { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('rewriter-label')).toContainText(FALLBACK_LABEL);
  const mark = page.getByTestId('rewrite-u').locator('mark');
  await expect(mark).toHaveCount(1);
  await expect(mark).toHaveAttribute('data-concept', 'red');
  await expect(mark).toContainText('red');
  const uPrime = page.getByTestId('rewrite-u-prime');
  await expect(uPrime).toContainText('circle on a navy background');
  expect(await uPrime.textContent()).not.toMatch(/\bred\b/);

  const tin = page.locator('[data-run="tin"]');
  const original = page.locator('[data-run="original"]');
  await expect(tin.getByTestId('result-image')).toBeVisible({ timeout: RUN_TIMEOUT });
  await expect(original.getByTestId('result-image')).toBeVisible({ timeout: RUN_TIMEOUT });
  // the per-step record: step 1 on u, 2-6 on u'
  await expect(tin.locator('.timeline li[data-prompt="u"]')).toHaveCount(1);
  await expect(tin.locator('.timeline li[data-prompt="u′"]')).toHaveCount(5);
  await expect(tin.locator('.timeline li.after')).toHaveCount(5);
  await expect(original.locator('.timeline li[data-prompt="u′"]')).toHaveCount(0);
  // previews every 2 steps (2, 4) plus the final image
  await expect(tin.getByRole('list', { name: 'Step previews' }).locator('img')).toHaveCount(3);
  // TIN and ORIGINAL differ (same seed, different prompt after S)
  const [a, b] = await Promise.all([tin.getByTestId('result-image').getAttribute('src'), original.getByTestId('result-image').getAttribute('src')]);
  const bytes = (src: string | null) => page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u!)).arrayBuffer())), src);
  expect(await bytes(a)).not.toEqual(await bytes(b));
  expect(external).toEqual([]);
});

test('an empty prompt shows the specific error and keeps every other input, also across a reload', async ({ page }) => {
  await page.goto('/');
  await page.locator('#concepts').fill('dog, red');
  await page.locator('#seed').fill('123');
  await page.locator('#steps').fill('12');
  await page.locator('#prompt').fill('   ');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.locator('#prompt-error')).toHaveText('The prompt is empty: type what the picture should show.');
  await expect(page.locator('#prompt')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#concepts')).toHaveValue('dog, red');
  await expect(page.locator('#seed')).toHaveValue('123');
  await expect(page.locator('#steps')).toHaveValue('12');
  await expect(page.locator('[data-run]')).toHaveCount(0);

  // a bad seed is named as typed, and kept
  await page.locator('#prompt').fill('a green square');
  await expect(page.locator('#prompt-error')).toHaveCount(0);
  await page.locator('#seed').fill('12x');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.locator('#seed-error')).toContainText('The seed must be a whole number from 0 to 4294967295, got "12x"');
  await expect(page.locator('[data-run]')).toHaveCount(0);

  await page.reload();
  await expect(page.locator('#prompt')).toHaveValue('a green square');
  await expect(page.locator('#seed')).toHaveValue('12x');
  await expect(page.locator('#concepts')).toHaveValue('dog, red');
  await expect(page.locator('#steps')).toHaveValue('12');
});

test('instruction learning without a language model is disabled with a clear message; files are checked', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Instruction learning' }).click();
  await expect(page.getByTestId('learning-disabled')).toContainText('needs a local language model');
  await page.getByLabel('Training set').setInputFiles({
    name: 'training.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('Input Caption: a red car\nConcept: red\nOutput Caption1: a blue car\n\nInput Caption: a dog\nConcept: dog\nOutput Caption: a cat\n'),
  });
  await expect(page.getByText('2 samples from training.txt')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Learn instruction' })).toBeDisabled();
  await page.getByLabel('Training set').setInputFiles({ name: 'bad.txt', mimeType: 'text/plain', buffer: Buffer.from('Input Caption: a red car\nOutput Caption: x\n') });
  await expect(page.locator('#training-error')).toContainText('"Output Caption" comes before the "Concept:" line');
  await page.getByLabel('Import an instruction artifact').setInputFiles({ name: 'a.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"ores-instruction"}') });
  await expect(page.locator('#import-error')).toContainText('not a valid ores-instruction v1 artifact');
});

test('kiosk: the policy is read-only and enforced (TIN only, its concepts, its S)', async ({ page, context }) => {
  const external = await offline(context);
  // Whatever the page stored before must not loosen the policy.
  await page.addInitScript(() => {
    localStorage.setItem('ores.settings.v1', JSON.stringify({ concepts: '', switchFraction: 1, compareOriginal: true }));
    localStorage.setItem('ores.kiosk-settings.v1', JSON.stringify({ concepts: '', switchFraction: 1 }));
  });
  await page.goto('/?kiosk=/tests/fixtures/policies/kiosk-red.json');
  await expect(page.getByTestId('kiosk-badge')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Test kiosk', level: 1 })).toBeVisible();
  await expect(page.getByTestId('policy-locked')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Banned concepts' })).toHaveText('red');
  // nothing to edit or bypass the policy with
  await expect(page.locator('#concepts')).toHaveCount(0);
  await expect(page.locator('#switch')).toHaveCount(0);
  await expect(page.getByTestId('switch-locked')).toContainText('0.2');
  await expect(page.getByRole('tab')).toHaveCount(0);
  await expect(page.getByText('Also generate ORIGINAL')).toHaveCount(0);
  await expect(page.locator('#negative')).toHaveCount(0);
  await expect(page.locator('input[name="model"]:not(:disabled)')).toHaveCount(0);

  await modelReady(page);
  await page.locator('#prompt').fill('a red square on a teal background');
  await page.locator('#steps').fill('5'); // S = round(5 * 0.2) = 1
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('rewrite-label')).toHaveText(FALLBACK_LABEL, { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('rewrite-u').locator('mark')).toContainText('red');
  expect(await page.getByTestId('rewrite-u-prime').textContent()).not.toMatch(/\bred\b/);
  const tin = page.locator('[data-run="tin"]');
  await expect(tin.getByTestId('result-image')).toBeVisible({ timeout: RUN_TIMEOUT });
  await expect(page.locator('[data-run]')).toHaveCount(1);
  await expect(tin.locator('.timeline li[data-prompt="u′"]')).toHaveCount(4);
  // verified before it was shown, and no preview ever appeared before that
  await expect(tin.getByTestId('verification')).toHaveText(/^checked by the world judge: clean/);
  await expect(tin.locator('.strip')).toHaveCount(0);
  // the next visitor finds an empty prompt
  await expect(page.locator('#prompt')).toHaveValue('');
  // what the policy covers, for the operator
  await expect(page.getByTestId('policy-resolution')).toContainText('red');
  expect(external).toEqual([]);
});

test('kiosk fails closed: a policy served as 503, as HTML, unreachable or invalid, or from another origin, shows the error screen and no Generate', async ({ page }) => {
  const closed = async (what: string) => {
    await expect(page.getByRole('heading', { name: 'This kiosk’s policy could not be used' }), what).toBeVisible();
    await expect(page.getByRole('button', { name: 'Generate' }), what).toHaveCount(0);
    await expect(page.locator('#prompt'), what).toHaveCount(0);
  };
  // a deployed policy.json that cannot be read
  await page.route('**/policy.json', (r) => r.fulfill({ status: 503, body: 'down' }));
  await page.goto('/');
  await closed('503');
  await page.unroute('**/policy.json');
  await page.route('**/policy.json', (r) => r.abort('connectionrefused'));
  await page.goto('/');
  await closed('unreachable');
  await page.unroute('**/policy.json');
  // ?kiosk= pointing at HTML, at a broken file, at another origin, at a data: URL
  await page.route('**/tests/fixtures/policies/html.json', (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><p>hi</p>' }));
  for (const url of ['/tests/fixtures/policies/html.json', '/tests/fixtures/policies/bad-policy.json', 'http://127.0.0.1:9/evil.json', 'data:application/json,{"bannedConcepts":["x"]}']) {
    await page.goto(`/?kiosk=${encodeURIComponent(url)}`);
    await closed(url);
  }
  await expect(page.getByRole('alert')).toContainText('must be a file of this site');
});

test('a guard lexicon that fails to load is a visible error, and a kiosk will not generate without it', async ({ page }) => {
  await page.route('**/guard/lexicon.json', (r) => r.fulfill({ status: 404, body: 'gone' }));
  await page.goto('/');
  await expect(page.locator('[data-code="lexicon-unavailable"]')).toContainText('The WordNet lexicon could not be loaded');
  await page.goto('/?kiosk=/tests/fixtures/policies/kiosk-red.json');
  await expect(page.locator('[data-code="lexicon-unavailable"]')).toBeVisible();
  await modelReady(page);
  await page.locator('#prompt').fill('a blue circle');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Not started' })).toContainText('A kiosk does not generate without it');
  await expect(page.locator('[data-run]')).toHaveCount(0);
});

test('kiosk: a bad policy file shows what is wrong and no way to generate', async ({ page }) => {
  await page.goto('/?kiosk=/tests/fixtures/policies/bad-policy.json');
  await expect(page.getByRole('heading', { name: 'This kiosk’s policy could not be used' })).toBeVisible();
  const problem = page.getByRole('alert');
  await expect(problem).toContainText('bannedConcepts: the policy must ban at least one concept');
  await expect(problem).toContainText('switchFraction: must be at most 0.5');
  await expect(page.getByRole('button', { name: 'Generate' })).toHaveCount(0);
  await expect(page.getByRole('textbox')).toHaveCount(0);

  await page.goto('/?kiosk=/tests/fixtures/policies/does-not-exist.json');
  await expect(page.getByRole('alert')).toContainText('Could not read the kiosk policy');
  await expect(page.getByRole('button', { name: 'Generate' })).toHaveCount(0);
});
