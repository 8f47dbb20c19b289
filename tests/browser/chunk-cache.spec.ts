// A large file in the model cache, in Chromium: stored in Blob chunks, checked whole once, then read
// back with each piece checked against its digest; one flipped byte in a stored chunk is found.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

const manifest = JSON.parse(readFileSync(new URL('../fixtures/models/manifest.json', import.meta.url), 'utf8')) as {
  models: { id: string; files: Record<string, { path: string; bytes: number; sha256: string }> }[];
};
const encoder = manifest.models.find((m) => m.id === 'tiny-sd')!.files.textEncoder!;

test('chunked cache in Chromium: verified once whole, read back with piece checks and no request, a damaged chunk found', async ({ page }) => {
  await page.goto('/tests/browser/chunk-cache.html');
  await expect(page).toHaveTitle('ready');
  const url = new URL(`/tests/fixtures/models/tiny-sd/${encoder.path}`, page.url()).href;
  const r = await page.evaluate(
    ([u, e]) => (window as unknown as { chunkCache: { cycle: (u: string, e: object) => Promise<Record<string, unknown>> } }).chunkCache.cycle(u, e),
    [url, { bytes: encoder.bytes, sha256: encoder.sha256 }] as const,
  );
  expect(r).toEqual({
    chunks: Math.ceil(encoder.bytes / (32 * 1024)),
    chunkIsBlob: true,
    verifiedSha256: encoder.sha256,
    requests: 1,
    cold: 'ok',
    warm: 'ok',
    warmSameBytes: true,
    damaged: 'does not match its SHA-256 checksum',
  });
});
