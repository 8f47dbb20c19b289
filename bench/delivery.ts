// npm run bench:delivery [-- --mb 300 --rounds 3 --no-browser]: model delivery from a local HTTP
// server (127.0.0.1, Range support) through the app's browser fetcher and loader.
//   In Node, with fake-indexeddb (an in-memory IndexedDB: its speed is not a browser's):
//   1. the embedded model (public/models/ores-tiny-world), loadModel cold (network) vs warm (cache);
//   2. a synthetic file of --mb MB (seeded bytes, on disk), fetched and checked as the loader does
//      (fetchChecked) cold vs warm, the IndexedDB read alone, and peak memory, sampled every 5 ms.
//   In headless Chromium with a profile on disk (bench/delivery-browser.ts), unless --no-browser:
//   3. the synthetic file cold, warm, read alone and over the network alone, --rounds times, with
//      the peak resident memory of Chromium's processes.
// Results: bench/results/delivery.json and delivery.md.
import 'fake-indexeddb/auto';
import { writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { createStore } from 'idb-keyval';
import { findModel, parseManifest } from '../src/core/manifest.ts';
import { browserFetcher } from '../src/engine/browserFetcher.ts';
import { fetchChecked } from '../src/engine/fetcher.ts';
import { loadModel } from '../src/engine/loadModel.ts';
import manifestJson from '../models-manifest/models.json' with { type: 'json' };
import { repoRoot } from '../tests/unit/helpers/engine.ts';
import { deliveryInChromium, type StepResult } from './delivery-browser.ts';
import { startDeliveryServer } from './deliveryServer.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MB = 2 ** 20;
const sizeMb = arg('mb', 300);
const rounds = arg('rounds', 3);

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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** The median time of a Chromium step, its range, and its largest peak per process type. */
function summary(steps: StepResult[]) {
  const seconds = steps.map((x) => x.seconds);
  const types = [...new Set(steps.flatMap((x) => Object.keys(x.peaks)))];
  const peakMb = Object.fromEntries(types.map((t) => [t, round(Math.max(...steps.map((x) => x.peaks[t] ?? 0)) / MB, 0)]).filter(([, v]) => (v as number) >= 1));
  return { seconds: round(median(seconds)), range: [round(Math.min(...seconds)), round(Math.max(...seconds))], peakMb };
}

/** Runs every measurement and returns the results as delivery.json keeps them. */
async function measure() {
  const server = await startDeliveryServer(sizeMb * MB);
  const { origin, synthetic } = server;

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

  // 2. The synthetic file, fetched and checked as the loader does, cold then warm; then the read alone.
  const fileStore = createStore('bench-file', 'files');
  const offline = () => Promise.reject(new Error('offline'));
  const fetchChecks = async (fetcher = browserFetcher({ store: fileStore })) => {
    const { bytes, problem } = await fetchChecked(fetcher, synthetic.url, synthetic);
    if (problem) throw new Error(`synthetic file ${problem}`);
    return bytes.byteLength;
  };
  const fileCold = await measured(() => fetchChecks());
  const fileWarm = await measured(() => fetchChecks(browserFetcher({ store: fileStore, fetch: offline })));
  const readOnly = await measured(() => browserFetcher({ store: fileStore, fetch: offline }).fetchBytes(synthetic.url));

  // 3. The same file in Chromium.
  const browser = process.argv.includes('--no-browser') ? undefined : await deliveryInChromium(synthetic, rounds);
  server.close();

  const chromium = browser && {
    rounds,
    cold: summary(browser.cold),
    warm: summary(browser.warm),
    read: summary(browser.read),
    network: summary(browser.network),
  };
  const results = {
    date: new Date().toISOString(),
    machine: `project CI kind: 2 shared CPU cores, Node ${process.version}`,
    node: {
      indexedDb: 'fake-indexeddb (in memory)',
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
    },
    chromium: chromium && {
      indexedDb: 'Chromium, headless, profile on disk',
      ...chromium,
      warmSpeedup: round(chromium.cold.seconds / chromium.warm.seconds, 1),
      indexedDbReadMBps: round(sizeMb / chromium.read.seconds, 0),
      warmRendererPeakOverFile: round((chromium.warm.peakMb.renderer ?? 0) / sizeMb, 2),
    },
  };
  return results;
}

type Results = Awaited<ReturnType<typeof measure>>;

function markdown(r: Results): string {
  const f = r.node.syntheticFile;
  const c = r.chromium;
  const peaks = (p: Record<string, number>) => Object.entries(p).filter(([, v]) => v >= 5).map(([t, v]) => `${t} ${v} MB`).join(', ');
  const time = (s: ReturnType<typeof summary>) => `${s.seconds} s (${s.range[0]}-${s.range[1]})`;
  return `# Model delivery (npm run bench:delivery)

${r.date}; ${r.machine}. A local HTTP server (127.0.0.1, Range support) serves the files; the app's
browser fetcher stores them in IndexedDB in 16 MB chunks and checks them as the loader does
(fetchChecked: the whole SHA-256 on a download, the 256 KB piece digests on a warm load of a file
that matched before). The machine is shared (other processes run), so times vary from run to run.

## Chromium (headless, real IndexedDB, profile on disk)
${
    c
      ? `Synthetic ${f.megabytes} MB file, median of ${c.rounds} rounds (range in brackets).

| what | cold (network) | warm (cache) | warm speed-up |
|---|---|---|---|
| fetch + check | ${time(c.cold)} | ${time(c.warm)} | **${c.warmSpeedup}x** |

- IndexedDB read alone (chunks into one buffer, no check): ${time(c.read)} = ${c.indexedDbReadMBps} MB/s.
- The network alone (the body read and dropped, nothing stored or checked): ${time(c.network)}; the
  rest of the cold load is storing (Blob chunks into IndexedDB), assembling and the whole-file SHA-256.
- Peak resident memory above the level before (Linux VmHWM per process, the largest of the rounds):
  warm: ${peaks(c.warm.peakMb)} = **${c.warmRendererPeakOverFile}x the file** in the page's renderer (target at most 1.5x);
  cold: ${peaks(c.cold.peakMb)}; read alone: ${peaks(c.read.peakMb)}.`
      : 'Not run (--no-browser).'
  }

## Node (fake-indexeddb, in memory: its throughput is not a browser's)

| what | cold (network) | warm (cache) | warm speed-up |
|---|---|---|---|
| embedded model, loadModel (${(r.node.embeddedModel.bytes / MB).toFixed(1)} MB, checks + sessions) | ${r.node.embeddedModel.coldSeconds} s | ${r.node.embeddedModel.warmSeconds} s | ${r.node.embeddedModel.warmSpeedup}x |
| synthetic ${f.megabytes} MB file, fetch + check | ${f.coldSeconds} s | ${f.warmSeconds} s | ${f.warmSpeedup}x |

- IndexedDB read of the ${f.megabytes} MB file (chunks into one buffer, no check): ${f.indexedDbReadMBps} MB/s.
- Peak ArrayBuffer memory above the level before the load: cold ${f.peakArrayBuffersMb.cold} MB
  (includes the ${f.megabytes} MB the in-memory IndexedDB keeps), warm ${f.peakArrayBuffersMb.warm} MB
  = ${f.warmPeakOverFile}x the file, cache read alone ${f.peakArrayBuffersMb.readOnly} MB.
- Peak RSS above the level before: cold ${f.peakRssMb.cold} MB, warm ${f.peakRssMb.warm} MB.
`;
}

const results = await measure();
writeFileSync(repoRoot + 'bench/results/delivery.json', JSON.stringify(results, null, 2) + '\n');
writeFileSync(repoRoot + 'bench/results/delivery.md', markdown(results));
console.log(markdown(results));
