// Updates across two builds: build A is installed by its service worker, then build B is served at
// the same origin. The open page must announce B and keep running A until the user reloads, and a
// reload asked for during a generation must wait for the generation to end.
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, Preview } from './preview.ts';

const preview = new Preview(Number(process.env.ORES_UPDATE_PORT ?? 5304));
const LOAD_TIMEOUT = 180_000;
const RUN_TIMEOUT = 400_000;
test.describe.configure({ timeout: 600_000 });

let root = '';
const build = (name: 'a' | 'b') => join(root, name);

// Two builds that differ only by their version line (ORES_VERSION, vite.config.ts).
test.beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ores-update-'));
  for (const name of ['a', 'b'] as const) buildApp(build(name), { ORES_VERSION: `update-${name}` });
});
test.afterAll(async () => {
  await preview.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Replaces the build the server serves, as a deploy would. */
async function deploy(name: 'a' | 'b'): Promise<void> {
  await preview.stop();
  await preview.start(build(name));
}

/** Asks the browser to look for a new service worker now (it does so by itself on later visits). */
const checkForUpdate = (page: Page) =>
  page.evaluate(async () => {
    await (await navigator.serviceWorker.getRegistration())!.update();
  });

/** Marks the current document: the mark is gone once the page has reloaded. */
const mark = (page: Page) => page.evaluate(() => ((window as unknown as { mark: boolean }).mark = true));
const marked = (page: Page) => page.evaluate(() => (window as unknown as { mark?: boolean }).mark === true);

test('a new build is announced, runs only after Reload, and a Reload asked for during a generation waits for it', async ({ page }) => {
  const version = page.getByTestId('app-version');
  const banner = page.getByTestId('update-banner');

  await deploy('a');
  await page.goto(preview.url);
  await expect(page.getByTestId('offline-ready')).toBeVisible({ timeout: LOAD_TIMEOUT }); // A precached
  await page.reload(); // now under A's service worker, as on any later visit
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await expect(version).toHaveText('ORES update-a');

  await test.step('B is announced; the page keeps running A until Reload', async () => {
    await deploy('b');
    await mark(page);
    await checkForUpdate(page);
    await expect(banner).toContainText('A new version is ready: reload to use it.', { timeout: LOAD_TIMEOUT });
    await expect(version).toHaveText('ORES update-a');
    expect(await marked(page)).toBe(true);

    await banner.getByRole('button', { name: 'Reload' }).click();
    await expect(version).toHaveText('ORES update-b');
    expect(await marked(page)).toBe(false);
    await expect(banner).toHaveCount(0);
  });

  await test.step('A, deployed again, is a new version too: a Reload during a generation waits for the image', async () => {
    await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: LOAD_TIMEOUT });
    await deploy('a');
    await mark(page);
    await checkForUpdate(page);
    await expect(banner).toBeVisible({ timeout: LOAD_TIMEOUT });

    // When the image appeared, kept in sessionStorage, which outlives the reload (same tab).
    await page.evaluate(() => {
      const seen = new MutationObserver(() => {
        if (!document.querySelector('[data-run="plain"] [data-testid="result-image"]')) return;
        sessionStorage.setItem('imageAt', String(Date.now()));
        seen.disconnect();
      });
      seen.observe(document.body, { childList: true, subtree: true });
    });
    await page.locator('#concepts').fill('');
    await page.locator('#prompt').fill('a large blue circle on a navy background');
    await page.locator('#steps').fill('200'); // seconds even on WASM (tens of ms a step): time to click during it
    await page.getByRole('button', { name: 'Generate' }).click();
    await banner.getByRole('button', { name: 'Reload after this image' }).click();
    await expect(banner.getByRole('button')).toHaveText('Reloading after this image…');
    expect(await marked(page)).toBe(true);

    await expect(version).toHaveText('ORES update-a', { timeout: RUN_TIMEOUT });
    const { imageAt, loadedAt } = await page.evaluate(() => ({ imageAt: Number(sessionStorage.getItem('imageAt')), loadedAt: performance.timeOrigin }));
    expect(imageAt, 'the image was shown before the page reloaded').toBeGreaterThan(0);
    expect(imageAt).toBeLessThan(loadedAt);
  });
});
