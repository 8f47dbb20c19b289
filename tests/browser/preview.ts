// A production build served by `vite preview` (with the COOP/COEP headers of vite.config.ts), for
// the tests of the service worker: tests/browser/pwa.spec.ts and tests/browser/update.spec.ts.
import { expect } from '@playwright/test';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';

/** Builds the app into `outDir` (Vite's default dist/ when omitted); `env` adds build-time settings such as ORES_VERSION. */
export function buildApp(outDir?: string, env: Record<string, string> = {}): void {
  const args = outDir ? ['vite', 'build', '--outDir', outDir, '--emptyOutDir'] : ['vite', 'build'];
  execFileSync('npx', args, { stdio: 'ignore', timeout: 300_000, env: { ...process.env, ...env } });
}

export class Preview {
  private server: ChildProcess | undefined;
  readonly url: string;

  constructor(readonly port: number) {
    this.url = `http://localhost:${port}/`;
  }

  async up(): Promise<boolean> {
    try {
      return (await fetch(this.url)).ok;
    } catch {
      return false;
    }
  }

  /** Serves the build in `outDir` (dist/ when omitted). */
  async start(outDir?: string): Promise<void> {
    const args = ['vite', 'preview', '--port', String(this.port), '--strictPort', ...(outDir ? ['--outDir', outDir] : [])];
    this.server = spawn('npx', args, { stdio: 'ignore', detached: true });
    for (let i = 0; i < 120 && !(await this.up()); i++) await new Promise((r) => setTimeout(r, 500));
    expect(await this.up(), `vite preview on port ${this.port}`).toBe(true);
  }

  /** Stops the server (its whole process group: npx and vite). */
  async stop(): Promise<void> {
    if (this.server?.pid) process.kill(-this.server.pid, 'SIGTERM');
    this.server = undefined;
    for (let i = 0; i < 40 && (await this.up()); i++) await new Promise((r) => setTimeout(r, 250));
  }
}
