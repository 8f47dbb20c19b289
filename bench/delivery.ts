// npm run bench:delivery [-- --mb 300]: model delivery from a local HTTP server (127.0.0.1, Range
// support), through the app's browser fetcher and loader, in Node with fake-indexeddb (an in-memory
// IndexedDB: its speed is not a browser's; the ratios and the loader's own memory are what carry over).
//   1. the embedded model (public/models/ores-tiny-world), loadModel cold (network) vs warm (cache);
//   2. a synthetic file of --mb MB (seeded bytes, on disk), fetch + SHA-256 check cold vs warm,
//      IndexedDB read throughput, and peak memory during each load, sampled every 5 ms.
// Results: bench/results/delivery.json and delivery.md.
import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { createStore } from 'idb-keyval';
import { fileProblem } from '../src/core/fileCheck.ts';
import { findModel, parseManifest } from '../src/core/manifest.ts';
import { browserFetcher } from '../src/engine/browserFetcher.ts';
import { loadModel } from '../src/engine/loadModel.ts';
import manifestJson from '../models-manifest/models.json' with { type: 'json' };

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MB = 2 ** 20;
const sizeMb = arg('mb', 300);
const root = new URL('../', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'ores-delivery-'));

/** Seeded pseudo-random bytes (xorshift32), so the synthetic file does not compress or repeat. */
function syntheticFile(bytes: number): { path: string; sha256: string } {
  const path = join(tmp, 'synthetic.bin');
  const data = new Uint8Array(bytes);
  const words = new Uint32Array(data.buffer, 0, bytes >> 2);
  let x = 2463534242;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  writeFileSync(path, data);
  return { path, sha256: createHash('sha256').update(data).digest('hex') };
}

/** Serves /public/<path> and /synthetic.bin from disk, with Range requests. */
function serve(synthetic: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = decodeURIComponent(req.url ?? '/');
    const file = url === '/synthetic.bin' ? synthetic : url.startsWith('/public/') && !url.includes('..') ? join(root, url) : '';
    // The browser page runs on the vite dev server's origin: a CORS fetch, with the headers the fetcher reads exposed.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-expose-headers', 'content-range, content-length, etag');
    if (req.method === 'OPTIONS') return void res.writeHead(204, { 'access-control-allow-headers': 'range, if-range' }).end();
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return void res.writeHead(404).end();
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    res.writeHead(range ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': size - start,
      etag: `"${size}"`,
      ...(range ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    createReadStream(file, { start }).pipe(res);
  };
}

/** Runs `job`, sampling memory every 5 ms; returns its time and the peaks above the level before it. */
async function measured<T>(job: () => Promise<T>): Promise<{ value: T; seconds: number; peakArrayBuffersMb: number; peakRssMb: number }> {
  // Let the in-memory IndexedDB finish its transactions, then collect, so the level before holds only live data.
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 200));
    globalThis.gc?.();
  }
  const before = process.memoryUsage();
  let peakAb = before.arrayBuffers;
  let peakRss = before.rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakAb = Math.max(peakAb, m.arrayBuffers);
    peakRss = Math.max(peakRss, m.rss);
  }, 5);
  const t0 = performance.now();
  const value = await job();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  const m = process.memoryUsage();
  peakAb = Math.max(peakAb, m.arrayBuffers);
  peakRss = Math.max(peakRss, m.rss);
  return { value, seconds, peakArrayBuffersMb: (peakAb - before.arrayBuffers) / MB, peakRssMb: (peakRss - before.rss) / MB };
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  const synthetic = syntheticFile(sizeMb * MB);
  const server = createServer(serve(synthetic.path));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // 1. The embedded model through the real loader (files, checks, sessions).
  const manifest = parseManifest(manifestJson);
  const entry = { ...findModel(manifest, 'ores-tiny-world'), baseUrl: `${origin}/public/models/ores-tiny-world/` };
  const modelStore = createStore('bench-model', 'files');
  const loadOnce = async () => {
    const m = await loadModel(ort, entry, { provider: 'wasm', fetcher: browserFetcher({ store: modelStore }), graphsBaseUrl: `${origin}/public/graphs/`, assets: manifest.assets });
    await m.release();
  };
  const modelCold = await measured(loadOnce);
  const modelWarm = await measured(loadOnce);

  // 2. The synthetic file: fetch + the SHA-256 check the loader does, cold then warm.
  const fileStore = createStore('bench-file', 'files');
  const expected = { bytes: sizeMb * MB, sha256: synthetic.sha256 };
  const fetchChecked = async () => {
    const bytes = await browserFetcher({ store: fileStore }).fetchBytes(`${origin}/synthetic.bin`);
    const problem = await fileProblem(bytes, expected);
    if (problem) throw new Error(`synthetic file ${problem}`);
    return bytes.byteLength;
  };
  const fileCold = await measured(fetchChecked);
  const fileWarm = await measured(fetchChecked);
  const readOnly = await measured(() => browserFetcher({ store: fileStore, fetch: () => Promise.reject(new Error('offline')) }).fetchBytes(`${origin}/synthetic.bin`));

  const browser = process.argv.includes('--no-browser') ? undefined : await inChromium(`${origin}/synthetic.bin`, expected);

  server.close();
  rmSync(tmp, { recursive: true, force: true });

  const results = {
    date: new Date().toISOString(),
    machine: 'project CI kind: 2 shared CPU cores, Node ' + process.version + ', fake-indexeddb (in memory)',
    embeddedModel: {
      bytes: Object.values(entry.files).reduce((s, f) => s + (f.bytes ?? 0), 0),
      coldSeconds: round(modelCold.seconds),
      warmSeconds: round(modelWarm.seconds),
      warmSpeedup: round(modelCold.seconds / modelWarm.seconds, 1),
    },
    syntheticFile: {
      megabytes: sizeMb,
      coldSeconds: round(fileCold.seconds),
      warmSeconds: round(fileWarm.seconds),
      warmSpeedup: round(fileCold.seconds / fileWarm.seconds, 1),
      indexedDbReadMBps: round(sizeMb / readOnly.seconds, 0),
      // Above the level before the load. Cold includes the copy the in-memory IndexedDB now keeps (a
      // browser keeps it on disk); warm starts with that copy already in memory, so it is the loader's own.
      peakArrayBuffersMb: { cold: round(fileCold.peakArrayBuffersMb, 0), warm: round(fileWarm.peakArrayBuffersMb, 0), readOnly: round(readOnly.peakArrayBuffersMb, 0) },
      peakRssMb: { cold: round(fileCold.peakRssMb, 0), warm: round(fileWarm.peakRssMb, 0) },
      warmPeakOverFile: round(fileWarm.peakArrayBuffersMb / sizeMb, 2),
    },
    chromium: browser && {
      coldSeconds: round(browser.cold.seconds),
      warmSeconds: round(browser.warm.seconds),
      warmSpeedup: round(browser.cold.seconds / browser.warm.seconds, 1),
      indexedDbReadMBps: round(sizeMb / browser.warm.readSeconds, 0),
      crossOriginIsolated: browser.crossOriginIsolated,
    },
  };
  const md = `# Model delivery (npm run bench:delivery)

${results.date}; ${results.machine}. A local HTTP server (127.0.0.1, Range support) serves the files; the
app's browser fetcher stores them in IndexedDB in 16 MB chunks. In Node, fake-indexeddb keeps its data in
memory, so its throughput is not a browser's; the Chromium row uses the browser's real IndexedDB. The
machine is shared (other processes run), so times vary from run to run.

| what | cold (network) | warm (cache) | warm speed-up |
|---|---|---|---|
| embedded model, loadModel (${(results.embeddedModel.bytes / MB).toFixed(1)} MB, checks + sessions) | ${results.embeddedModel.coldSeconds} s | ${results.embeddedModel.warmSeconds} s | ${results.embeddedModel.warmSpeedup}x |
| synthetic ${sizeMb} MB file, fetch + SHA-256 | ${results.syntheticFile.coldSeconds} s | ${results.syntheticFile.warmSeconds} s | ${results.syntheticFile.warmSpeedup}x |
${
    results.chromium
      ? `| synthetic ${sizeMb} MB file in headless Chromium (real IndexedDB), fetch + SHA-256 | ${results.chromium.coldSeconds} s | ${results.chromium.warmSeconds} s | ${results.chromium.warmSpeedup}x |\n`
      : ''
  }

- IndexedDB read in Chromium (real IndexedDB, chunks into one buffer): ${results.chromium?.indexedDbReadMBps ?? 'not run'} MB/s.
- IndexedDB read of the ${sizeMb} MB file (chunks into one buffer, no check): ${results.syntheticFile.indexedDbReadMBps} MB/s.
- Peak ArrayBuffer memory above the level before the load: cold ${results.syntheticFile.peakArrayBuffersMb.cold} MB
  (includes the ${sizeMb} MB the in-memory IndexedDB keeps), warm ${results.syntheticFile.peakArrayBuffersMb.warm} MB
  = **${results.syntheticFile.warmPeakOverFile}x the file** (target at most 1.5x; Node's heap, measured in Node only), cache read alone ${results.syntheticFile.peakArrayBuffersMb.readOnly} MB.
- Peak RSS above the level before: cold ${results.syntheticFile.peakRssMb.cold} MB, warm ${results.syntheticFile.peakRssMb.warm} MB.
`;
  writeFileSync(join(root, 'bench/results/delivery.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(root, 'bench/results/delivery.md'), md);
  console.log(md);
}

/** The same file through the app's fetcher in headless Chromium (vite dev server on port 5203, bench/delivery-browser.html). */
async function inChromium(url: string, expected: { bytes: number; sha256: string }) {
  const { chromium } = await import('playwright-core');
  const { spawn } = await import('node:child_process');
  const port = Number(process.env.ORES_PORT ?? 5203);
  const vite = spawn(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), '--port', String(port), '--strictPort'], { cwd: root, stdio: 'ignore', env: { ...process.env, ORES_TEST: '1' } });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    for (let i = 0; ; i++) {
      try {
        await page.goto(`http://localhost:${port}/bench/delivery-browser.html`);
        break;
      } catch (e) {
        if (i > 60) throw e;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 180_000 });
    type Api = { deliveryBench: { run: (u: string, e: object) => Promise<{ cold: { seconds: number; readSeconds: number }; warm: { seconds: number; readSeconds: number }; crossOriginIsolated: boolean }> } };
    return await page.evaluate(([u, e]) => (window as unknown as Api).deliveryBench.run(u, e), [url, expected] as const);
  } finally {
    await browser.close();
    vite.kill();
  }
}

await main();
