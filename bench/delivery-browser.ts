// bench:delivery in headless Chromium: the app's fetcher with the browser's real IndexedDB (a
// profile on disk), on bench/delivery-browser.html served by the vite dev server; the file comes
// from the bench's local server (another origin, CORS). Each step runs alone, with the peak
// resident memory of Chromium's processes above the level before it (bench/processPeak.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchPersistentChromium, openReadyPage, startViteDev } from './chromium.ts';
import type { Step } from './delivery-browser-page.ts';
import { withProcessPeaks, type ProcessPeaks } from './processPeak.ts';

export interface StepResult {
  seconds: number;
  peaks: ProcessPeaks;
}
/** Each step `rounds` times, in turn (cold, warm, read, network, cold, ...), so that a busy moment of a shared machine spreads over all of them. */
export type ChromiumDelivery = Record<Step, StepResult[]>;

interface Api {
  deliveryBench: { run(step: Step, url: string, expected: object): Promise<number>; clear(): Promise<void> };
}

async function step(page: Page, profile: string, name: Step, file: { url: string; bytes: number; sha256: string }): Promise<StepResult> {
  // Collect garbage first, so that the level before the step holds only live data.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.detach();
  const { value, peaks } = await withProcessPeaks(profile, () =>
    page.evaluate(([n, u, e]) => (window as unknown as Api).deliveryBench.run(n, u, e), [name, file.url, { bytes: file.bytes, sha256: file.sha256 }] as const),
  );
  return { seconds: value, peaks };
}

export async function deliveryInChromium(file: { url: string; bytes: number; sha256: string }, rounds: number): Promise<ChromiumDelivery> {
  const port = Number(process.env.ORES_PORT ?? 5203);
  const vite = startViteDev(port);
  const profile = mkdtempSync(join(tmpdir(), 'ores-delivery-profile-'));
  const context = await launchPersistentChromium(profile);
  try {
    const page = await openReadyPage(context, `http://localhost:${port}/bench/delivery-browser.html`);
    const out: ChromiumDelivery = { cold: [], warm: [], read: [], network: [] };
    for (let r = 0; r < rounds; r++) for (const s of ['cold', 'warm', 'read', 'network'] as const) out[s].push(await step(page, profile, s, file));
    await page.evaluate(() => (window as unknown as Api).deliveryBench.clear());
    return out;
  } finally {
    await context.close();
    vite.kill();
    rmSync(profile, { recursive: true, force: true });
  }
}
