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
  // the other cards have no mask
  await expect(page.locator('[data-run="tin"], [data-run="original"]').getByTestId('mask-strip')).toHaveCount(0);
  expect(external).toEqual([]);
});
