// The app shell offline: a production build served by `vite preview`, opened once, the server
// stopped, the page reloaded. The service worker alone must serve the app, the ORT runtime, the
// helper graphs, the lexicon and the embedded model, with the page still cross-origin isolated.
import { expect, test } from '@playwright/test';
import { buildApp, Preview } from './preview.ts';

const preview = new Preview(Number(process.env.ORES_PREVIEW_PORT ?? 5303));
const BASE = preview.url;
test.describe.configure({ timeout: 600_000 });

test.beforeAll(() => buildApp());
test.afterAll(() => preview.stop());

test('after one visit the app opens, stays cross-origin isolated and generates with the embedded model with the server gone', async ({ page }) => {
  await preview.start();
  await page.goto(BASE);
  await expect(page.getByTestId('offline-ready')).toBeVisible({ timeout: 180_000 }); // everything precached
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 180_000 });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

  // The first load also kept the embedded model in IndexedDB; drop that copy (from a page without the
  // worker that holds it open) so the reload below can only get the model from the service worker.
  await page.goto(BASE + 'manifest.webmanifest');
  expect(await page.evaluate(() => new Promise((resolve) => (indexedDB.deleteDatabase('ores-model-cache').onsuccess = () => resolve('deleted'))))).toBe('deleted');

  await preview.stop();
  expect(await preview.up()).toBe(false);

  await page.goto(BASE);
  await expect(page.getByRole('heading', { name: 'ORES', level: 1 })).toBeVisible();
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true); // COOP/COEP came with the cached responses
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 180_000 });
  await page.locator('#concepts').fill('');
  await page.locator('#prompt').fill('a large blue circle on a navy background');
  await page.locator('#steps').fill('2');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.locator('[data-run="plain"]').getByTestId('result-image')).toBeVisible({ timeout: 400_000 });
  // The lexicon came from the service worker too: the guard did not report it missing.
  await expect(page.getByText('The WordNet lexicon could not be loaded')).toHaveCount(0);
});
