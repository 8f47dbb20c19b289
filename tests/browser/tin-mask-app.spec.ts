// TIN + MASK in the app with the embedded model: the educator's mask heat maps beside TIN and
// ORIGINAL, and a kiosk whose policy chooses the masked method.
import { expect, test } from '@playwright/test';
import { modelReady, offline, RUN_TIMEOUT } from './appPage.ts';

test.describe.configure({ timeout: 600_000 });

test('educator view: TIN, ORIGINAL and TIN + MASK side by side; the masked card shows the mask of each preview step', async ({ page, context }) => {
  const external = await offline(context);
  await page.goto('/');
  await modelReady(page);
  await page.locator('#concepts').fill('red');
  await page.locator('#prompt').fill('a red circle on a navy background');
  await page.locator('#steps').fill('6'); // S = round(6 * 0.15) = 1: steps 2..6 masked
  await page.getByLabel('Also generate ORIGINAL').check();
  await page.getByLabel('Also generate BLACK LIST').uncheck();
  await page.getByLabel('Also generate NEGATIVE PROMPT').uncheck();
  await page.getByLabel('Also generate TIN with mask').check();
  await page.getByLabel('Step previews').selectOption('2');
  await page.getByRole('button', { name: 'Generate' }).click();

  const masked = page.locator('[data-run="tin-mask"]');
  await expect(masked.getByTestId('result-image')).toBeVisible({ timeout: RUN_TIMEOUT });
  await expect(page.locator('[data-run]')).toHaveCount(3);
  for (const kind of ['tin', 'original']) await expect(page.locator(`[data-run="${kind}"]`).getByTestId('result-image')).toBeVisible();
  // previews after steps 2 and 4 (none after the last), both masked: one heat map each, the latent grid (8 x 8) at 6 px a cell
  const maps = masked.getByRole('list', { name: 'Mask per step' }).getByRole('img');
  await expect(maps).toHaveCount(2);
  await expect(maps.nth(0)).toHaveAccessibleName('mask at step 2: where u′ was allowed to change the picture');
  await expect(maps.nth(1)).toHaveAccessibleName('mask at step 4: where u′ was allowed to change the picture');
  expect(await maps.nth(0).evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([48, 48]);
  await expect(masked.getByTestId('mask-legend')).toContainText('dark = u kept, bright = u′ allowed to change the picture');
  // u conditions every step; the masked ones (after S = 1) are marked, and the legend says u′ only acts inside the mask
  await expect(masked.locator('.timeline li[data-prompt="u"]')).toHaveCount(6);
  await expect(masked.locator('.timeline li.after')).toHaveCount(5);
  await expect(masked.locator('.timeline-wrap .legend')).toContainText('u′ inside the mask (steps 2–6, after S = 1)');
  // the other cards have no mask
  await expect(page.locator('[data-run="tin"], [data-run="original"]').getByTestId('mask-strip')).toHaveCount(0);
  expect(external).toEqual([]);
});

test('kiosk with method "tin-mask": the policy run is TIN + MASK and judged; a layout concept runs TIN and the card says why; the audit names the method', async ({ page, context }) => {
  const external = await offline(context);
  const lastAudit = () => page.evaluate(() => (JSON.parse(localStorage.getItem('ores.audit.v1') ?? '[]') as { method: string }[]).at(-1));

  await page.goto('/?kiosk=/tests/fixtures/policies/kiosk-red-mask.json');
  await expect(page.getByTestId('kiosk-badge')).toBeVisible();
  await modelReady(page);
  await expect(page.getByTestId('policy-method')).toHaveText(/^TIN \+ MASK: the banned concepts are appearance or objects/);
  await page.locator('#prompt').fill('a red square on a teal background');
  await page.locator('#steps').fill('5'); // S = round(5 * 0.2) = 1
  await page.getByRole('button', { name: 'Generate' }).click();
  const masked = page.locator('[data-run="tin-mask"]');
  await expect(masked.getByTestId('result-image')).toBeVisible({ timeout: RUN_TIMEOUT });
  await expect(page.locator('[data-run]')).toHaveCount(1);
  await expect(masked.getByTestId('method-reason')).toContainText('the mask changes only where they are');
  await expect(masked.getByTestId('verification')).toHaveText(/^checked by the world judge: clean/);
  // u conditions every step; steps 2..5 also had u′ inside the mask
  await expect(masked.locator('.timeline li[data-prompt="u"]')).toHaveCount(5);
  await expect(masked.locator('.timeline li.after')).toHaveCount(4);
  await expect(masked.locator('.strip')).toHaveCount(0); // nothing shown before the judge has passed it
  expect(await lastAudit()).toMatchObject({ method: 'tin-mask', switchStep: 1, verdict: 'clean' });

  await page.goto('/?kiosk=/tests/fixtures/policies/kiosk-background-mask.json');
  await modelReady(page);
  await expect(page.getByTestId('policy-method')).toHaveText(/^TIN \+ MASK: "teal background" is .*TIN runs instead/);
  await page.locator('#prompt').fill('a blue circle on a teal background');
  await page.locator('#steps').fill('4');
  await page.getByRole('button', { name: 'Generate' }).click();
  const tin = page.locator('[data-run="tin"]');
  await expect(tin.getByTestId('method-reason')).toHaveText(/^"teal background" is .*a mask would keep it, so TIN runs instead/);
  await expect(tin.getByTestId('result-image')).toBeVisible({ timeout: RUN_TIMEOUT });
  await expect(page.locator('[data-run="tin-mask"]')).toHaveCount(0);
  await expect(tin.getByTestId('verification')).toHaveText(/^checked by the world judge: clean/);
  expect(await lastAudit()).toMatchObject({ method: 'tin', switchStep: 1 });
  expect(external).toEqual([]);
});
