// Storage that says what it does: the space check before a download, and the storage view (sizes,
// verify, delete) on the fixture manifest (dev server, ?manifest=), WASM for speed.
import { expect, test, type Page } from '@playwright/test';

const APP = '/?manifest=/tests/fixtures/models/manifest.json';
test.describe.configure({ timeout: 300_000 });

async function openStorage(page: Page) {
  await page.getByTestId('storage-view').locator('summary').click();
  await expect(page.getByTestId('storage-usage')).toBeVisible();
}
const item = (page: Page, key: string) => page.locator(`[data-testid="stored-item"][data-key="${key}"]`);

test('a download that will not fit is refused before it starts, with the numbers', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(navigator.storage, 'estimate', { value: async () => ({ usage: 4000, quota: 5000 }) });
  });
  const requests: string[] = [];
  page.on('request', (r) => r.url().includes('/tiny-sd/') && requests.push(r.url()));
  await page.goto(APP);
  await page.getByRole('button', { name: /^Download and load \(/ }).click();
  await expect(page.locator('#model-error')).toContainText(/Downloading "Tiny random SD \(test fixture\)" needs \d+ KB of storage, but only 1000 B is free \(3\.9 KB used of the 4\.9 KB this browser allows this site\)/);
  await expect(page.locator('#model-error')).toContainText('Delete a model you no longer need under "Storage"');
  expect(requests).toEqual([]);
});

test('the storage view lists a downloaded model with its size, verifies it, finds a damaged file, and deletes the model', async ({ page }) => {
  await page.goto(APP);
  await page.getByRole('button', { name: /^Download and load \(/ }).click();
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: 120_000 });
  await openStorage(page);
  await expect(page.getByTestId('storage-persistence')).toContainText(/persistent|Persistence unknown/i);

  const sd = item(page, 'image:tiny-sd');
  await expect(sd).toContainText('Tiny random SD (test fixture)');
  await expect(sd).toContainText(/image model · \d+ KB/);
  await sd.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('storage-notice')).toHaveText('Tiny random SD (test fixture): 6 file(s) verified.');

  // Damage one cached file in IndexedDB (one flipped byte): verify finds it and removes it.
  await page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((ok) => (indexedDB.open('ores-model-cache').onsuccess = (e) => ok((e.target as IDBOpenDBRequest).result)));
    const key = new URL('/tests/fixtures/models/tiny-sd/unet/model.onnx', location.href).href;
    const store = () => db.transaction('files', 'readwrite').objectStore('files');
    const bytes: Uint8Array = await new Promise((ok) => (store().get(key).onsuccess = (e) => ok((e.target as IDBRequest).result)));
    const bad = bytes.slice();
    bad[100]! ^= 0xff;
    await new Promise((ok) => (store().put(bad, key).onsuccess = ok));
  });
  await sd.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('storage-notice')).toContainText('1 damaged file(s) removed, fetched again on the next load: http://');
  await expect(page.getByTestId('storage-notice')).toContainText('unet/model.onnx does not match its SHA-256 checksum');

  await item(page, 'image:tiny-sd').getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByTestId('storage-notice')).toHaveText(/Tiny random SD \(test fixture\): \d+ file\(s\) deleted\./);
  await expect(item(page, 'image:tiny-sd')).toHaveCount(0);
  // Still loaded in memory, no longer cached: the picker offers it as a download again.
  await expect(page.getByRole('radio', { name: /^Tiny random SD \(test fixture\) \d+ KB download/ })).toBeVisible();
});
