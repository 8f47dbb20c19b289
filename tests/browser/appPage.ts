// What the app's browser tests share: the offline guard, the model-ready wait, the time limits.
import { expect, type BrowserContext, type Page } from '@playwright/test';

export const FALLBACK_LABEL = 'Offline fallback (word substitution, no language model)';
export const MODEL_TIMEOUT = 180_000;
export const RUN_TIMEOUT = 400_000;

/** Every request must stay on the dev server: no model hub, no CDN. Returns the ones that tried to leave. */
export async function offline(context: BrowserContext): Promise<string[]> {
  const external: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === 'localhost' || url.hostname === '127.0.0.1') return route.continue();
    external.push(url.href);
    return route.abort();
  });
  return external;
}

export async function modelReady(page: Page) {
  await expect(page.getByTestId('model-ready')).toBeVisible({ timeout: MODEL_TIMEOUT });
  await expect(page.getByTestId('model-ready')).toContainText(/WebGPU|WASM/);
}
