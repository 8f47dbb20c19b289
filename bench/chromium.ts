// Headless Chromium for the benchmarks: one set of flags, the vite dev server that serves the
// bench pages, and a page opened once that server answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type LaunchOptions, type Page } from 'playwright-core';
import { repoRoot } from '../tests/unit/helpers/engine.ts';

/** Real WebGPU through SwiftShader/Vulkan; no background traffic to disturb the timings. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const chromiumLaunchOptions = (): LaunchOptions => ({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });

export const launchChromium = (): Promise<Browser> => chromium.launch(chromiumLaunchOptions());

/** With a profile on disk: unlike launchChromium's contexts (off the record), its IndexedDB is kept in files, as a visitor's is. */
export const launchPersistentChromium = (profileDir: string): Promise<BrowserContext> => chromium.launchPersistentContext(profileDir, chromiumLaunchOptions());

/** `vite` (dev) on this port, with the test-only routes (ORES_TEST). Vite itself, not npx: killing npx would leave its vite child serving. */
export function startViteDev(port: number): ChildProcess {
  return spawn(process.execPath, [repoRoot + 'node_modules/vite/bin/vite.js', '--port', String(port), '--strictPort'], {
    cwd: repoRoot,
    stdio: 'ignore',
    env: { ...process.env, ORES_TEST: '1' },
  });
}

/** Opens `url` in a new page, retrying for up to a minute while the server starts, and waits for the page's title to be 'ready'. */
export async function openReadyPage(browser: Browser | BrowserContext, url: string): Promise<Page> {
  const page = await browser.newPage();
  for (let i = 0; ; i++) {
    try {
      await page.goto(url);
      break;
    } catch (e) {
      if (i > 60) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 180_000 });
  return page;
}
