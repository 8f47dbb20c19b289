/**
 * The service worker that keeps the app usable offline (vite.config.ts, offlineShell). A new build
 * installs in the background and waits: the page shows "a new version is ready" and swaps only when
 * the user reloads, never under a running generation.
 */
import { registerSW } from 'virtual:pwa-register';

export class AppUpdate {
  /** A new version is installed and waiting for a reload. */
  waiting = $state(false);
  /** The app is now stored for offline use (first visit). */
  offlineReady = $state(false);
  problem = $state<string | null>(null);
  private update: ((reloadPage?: boolean) => Promise<void>) | undefined;

  /** Registers the service worker (production builds only: the dev server has none). */
  start(): void {
    if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
    this.update = registerSW({
      onNeedRefresh: () => (this.waiting = true),
      onOfflineReady: () => (this.offlineReady = true),
      onRegisterError: (e: unknown) => (this.problem = `The app could not be stored for offline use: ${(e as Error).message ?? String(e)}`),
    });
  }

  /** Activates the waiting version and reloads the page. */
  reload(): void {
    void this.update?.(true);
  }
}
