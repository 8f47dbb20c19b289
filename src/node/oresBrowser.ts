/**
 * Runs the benchmark's generation in headless Chromium on WebGPU (Debian's Chromium with
 * SwiftShader here): starts vite on the repo root, opens bench/ores-browser.html and drives it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { OresCase } from '../core/bench/caseFile.ts';
import type { BenchProgress, BenchSettings, CaseRewrite, GeneratedImage } from '../core/tin/benchmark.ts';
import type { LatencyReport } from '../core/tin/report.ts';
import { REPO_ROOT } from './repoRoot.ts';

const PORT = 5181;
const CHUNK = 4;

type WireImage = Omit<GeneratedImage, 'image'> & { image: { width: number; height: number; data: string } };

export async function browserEngine(o: { modelId: string; manifestUrl?: string; log: (s: string) => void }) {
  const server: ChildProcess = spawn(process.execPath, [resolve(REPO_ROOT, 'node_modules/vite/bin/vite.js'), '--port', String(PORT), '--strictPort'], { cwd: REPO_ROOT, stdio: 'ignore' });
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    server.kill();
  };
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage();
    page.setDefaultTimeout(0);
    let onProgress: ((p: BenchProgress) => void) | undefined;
    let offset = 0;
    await page.exposeFunction('oresProgress', (p: BenchProgress) => onProgress?.({ ...p, done: p.done + offset }));
    for (let i = 0; ; i++) {
      try {
        await page.goto(`http://localhost:${PORT}/bench/ores-browser.html`);
        break;
      } catch (e) {
        if (i > 60) throw e;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 180_000 });
    type Api = { oresBench: Record<string, (...a: unknown[]) => Promise<unknown>> };
    const call = <T>(fn: string, ...args: unknown[]): Promise<T> =>
      page.evaluate(([f, a]) => (window as unknown as Api).oresBench[f as string]!(...(a as unknown[])), [fn, args] as const) as Promise<T>;
    const { runtime } = await call<{ runtime: string }>('init', { modelId: o.modelId, manifestUrl: o.manifestUrl });
    o.log(`  browser: ${runtime}`);
    const pageSettings = (s: BenchSettings) => ({ methods: s.methods.map((m) => m.id), seeds: s.seeds, steps: s.steps, switchStep: s.switchStep, guidanceScale: s.guidanceScale });
    return {
      runtime: `headless ${runtime}`,
      async generateCases(cases: readonly OresCase[], settings: BenchSettings, progress: (p: BenchProgress) => void) {
        const images: GeneratedImage[] = [];
        const rewrites: CaseRewrite[] = [];
        const perCase = settings.seeds.length * settings.methods.length;
        const total = cases.length * perCase;
        for (let start = 0; start < cases.length; start += CHUNK) {
          offset = start * perCase;
          onProgress = (p) => progress({ ...p, total });
          const out = await call<{ images: WireImage[]; rewrites: CaseRewrite[] }>('runCases', cases.slice(start, start + CHUNK), pageSettings(settings));
          rewrites.push(...out.rewrites);
          for (const im of out.images) images.push({ ...im, image: { width: im.image.width, height: im.image.height, data: new Uint8ClampedArray(Buffer.from(im.image.data, 'base64')) } });
        }
        return { images, rewrites };
      },
      latency: (cases: readonly OresCase[], settings: BenchSettings, rewriteMs: number, runs: number) => call<LatencyReport>('latency', cases, pageSettings(settings), rewriteMs, runs),
      async close() {
        await call('close').catch(() => undefined);
        await close();
      },
    };
  } catch (e) {
    await close();
    throw e;
  }
}
