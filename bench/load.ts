/**
 * npm run bench:load — what a visitor's browser downloads and how long until the first image with
 * the embedded model: the production build (`vite build`) served by `vite preview` on localhost,
 * headless Chromium with an empty profile (cold: no HTTP cache, no IndexedDB), then the same page
 * again in the same profile (warm). Bytes transferred per file (page and workers), time to the
 * model being ready and to the first image. Writes bench/results/load.{json,md}. Numbers, not
 * asserts; on a shared machine the times vary from run to run, the bytes do not.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { launchPersistentChromium } from './chromium.ts';
import { repoRoot } from '../tests/unit/helpers/engine.ts';

const PORT = Number(process.env.ORES_PORT ?? 5178);
const STEPS = 4;

interface FileRow {
  path: string;
  status: number;
  /** Bytes over the wire as Chromium reports them (headers and body; a cache hit is headers only). */
  transferred: number;
  /** The file's size in the build, for what the transfer stands for. */
  fileBytes?: number;
}
interface Visit {
  kind: 'cold' | 'warm';
  readyMs: number;
  firstImageMs: number;
  provider: string;
  files: FileRow[];
}

async function visit(page: Page, kind: Visit['kind']): Promise<Visit> {
  const files: Promise<FileRow>[] = [];
  const onFinished = (req: import('playwright-core').Request) => {
    if (req.url().startsWith('blob:')) return; // the result image, made in the page
    files.push(
      (async () => {
        const [sizes, res] = await Promise.all([req.sizes(), req.response()]);
        const path = new URL(req.url()).pathname;
        const file = join(outDir, path === '/' ? 'index.html' : path);
        return { path, status: res?.status() ?? 0, transferred: sizes.responseHeadersSize + sizes.responseBodySize, fileBytes: existsSync(file) ? statSync(file).size : undefined };
      })(),
    );
  };
  page.on('requestfinished', onFinished);
  const t0 = Date.now();
  await page.goto(`http://localhost:${PORT}/`);
  await page.getByTestId('model-ready').waitFor({ timeout: 600_000 });
  const readyMs = Date.now() - t0;
  const provider = (await page.getByTestId('model-ready').textContent()) ?? '';
  await page.locator('#concepts').fill('');
  await page.locator('#prompt').fill('a large blue circle on a navy background');
  await page.locator('#steps').fill(String(STEPS));
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.getByTestId('result-image').first().waitFor({ timeout: 600_000 });
  const firstImageMs = Date.now() - t0;
  page.off('requestfinished', onFinished);
  return { kind, readyMs, firstImageMs, provider: provider.replace(/^Ready: /, ''), files: await Promise.all(files) };
}

const outDir = mkdtempSync(join(tmpdir(), 'ores-load-'));
const profile = mkdtempSync(join(tmpdir(), 'ores-profile-'));
await build({ root: repoRoot, logLevel: 'error', build: { outDir, emptyOutDir: true } });
const server = spawn(process.execPath, [repoRoot + 'node_modules/vite/bin/vite.js', 'preview', '--outDir', outDir, '--port', String(PORT), '--strictPort'], { cwd: repoRoot, stdio: 'ignore' });
const context = await launchPersistentChromium(profile);
const visits: Visit[] = [];
try {
  for (let i = 0; ; i++) {
    try {
      await fetch(`http://localhost:${PORT}/`);
      break;
    } catch (e) {
      if (i > 60) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  const page = await context.newPage();
  visits.push(await visit(page, 'cold'));
  visits.push(await visit(page, 'warm'));
} finally {
  await context.close();
  server.kill();
  rmSync(outDir, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}

const mb = (n: number) => (n / 1e6).toFixed(2);
const lines = [
  `Load benchmark: production build served by vite preview on localhost, headless Chromium, first image with the embedded model (${STEPS} steps, the app's other defaults).`,
  'Cold: empty profile (no HTTP cache, no IndexedDB, no remembered provider). Warm: the same page visited again in the same profile.',
  'Transferred: as Chromium reports it (headers and body; a cache hit is headers only). Model files are read from IndexedDB once cached, so they do not appear as requests on the warm visit.',
  "Cold, the model is loaded on both providers and a warm step timed on each (the provider choice); warm, the remembered choice is used.",
  '',
];
for (const v of visits) {
  const total = v.files.reduce((s, f) => s + f.transferred, 0);
  lines.push(`## ${v.kind}: ${mb(total)} MB in ${v.files.length} requests; model ready at ${(v.readyMs / 1000).toFixed(1)} s, first image at ${(v.firstImageMs / 1000).toFixed(1)} s (${v.provider})`, '');
  lines.push('| file | status | transferred (bytes) | file in the build (bytes) |', '|---|---|---|---|');
  for (const f of [...v.files].sort((a, b) => (b.fileBytes ?? 0) - (a.fileBytes ?? 0))) lines.push(`| ${f.path} | ${f.status} | ${f.transferred} | ${f.fileBytes ?? ''} |`);
  lines.push('');
}
const table = lines.join('\n');
console.log(table);
mkdirSync(repoRoot + 'bench/results', { recursive: true });
writeFileSync(repoRoot + 'bench/results/load.json', JSON.stringify({ date: new Date().toISOString(), steps: STEPS, visits }, null, 2) + '\n');
writeFileSync(repoRoot + 'bench/results/load.md', table);
