// Model delivery over real HTTP: the fixture model served by a local node:http server (127.0.0.1,
// random port), loaded through loadModel with the browser's fetcher (real fetch, byte progress,
// IndexedDB cache through fake-indexeddb), with the faults a real download meets.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { createStore, get, keys, set, type UseStore } from 'idb-keyval';
import { findModel, type ModelEntry } from '../../src/core/manifest.ts';
import type { Progress } from '../../src/core/pipeline/progress.ts';
import { browserFetcher } from '../../src/engine/browserFetcher.ts';
import { storedBytes } from '../../src/engine/chunkStore.ts';
import { pieceDigests } from '../../src/engine/pieceDigests.ts';
import type { FileFetcher } from '../../src/engine/fetcher.ts';
import { generate } from '../../src/engine/generate.ts';
import { loadModel } from '../../src/engine/loadModel.ts';
import { appManifest, fixtureManifest, fixtureModels, publicDir } from './helpers/engine.ts';

/**
 * URLs are /<mode>/models/<file under tests/fixtures/models> and /graphs/<helper graph>. The mode
 * breaks one file, the UNet (unet/model.onnx); every other file is served normally.
 */
type Mode = 'ok' | 'missing' | 'fail500' | 'cut' | 'cut-once' | 'garbage' | 'html' | 'spa' | 'slow' | 'stall' | 'range' | 'range-cut-once' | 'range-slow';
const FAULTY = 'tiny-sd/unet/model.onnx';
/** 'spa' breaks a JSON file: a dev server or static host with an SPA fallback answers a missing file with index.html and 200. */
const FAULTY_JSON = 'tiny-sd/scheduler/scheduler_config.json';
const requests: string[] = [];
/** The Range header of each request for the faulty file ('' without one). */
const ranges: string[] = [];
const cutOnceDone = new Set<string>();
let server: Server;
let origin: string;

function serve(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  requests.push(url);
  const graph = /^\/graphs\/([\w.]+\.onnx)$/.exec(url);
  const model = /^\/([\w-]+)\/models\/([\w./-]+)$/.exec(url);
  let file: string | undefined;
  if (graph) file = publicDir + 'graphs/' + graph[1];
  else if (model && !model[2]!.includes('..')) file = fixtureModels + model[2];
  let body: Buffer;
  try {
    body = readFileSync(file ?? '/nonexistent');
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const mode = (model?.[1] ?? 'ok') as Mode;
  const send = (b: Buffer, type = 'application/octet-stream'): void => void res.writeHead(200, { 'content-type': type, 'content-length': b.length }).end(b);
  if (mode === 'spa' && model?.[2] === FAULTY_JSON) return send(Buffer.from('<!doctype html><html><body><div id="app"></div></body></html>'), 'text/html');
  if (model?.[2] === FAULTY) ranges.push(req.headers.range ?? '');
  if (model?.[2] === FAULTY && mode.startsWith('range')) return serveRange(req, res, body, mode, url);
  if (!model || model[2] !== FAULTY || mode === 'ok' || (mode === 'cut-once' && cutOnceDone.has(url))) return send(body);
  switch (mode) {
    case 'fail500':
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
      return;
    case 'missing':
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    case 'garbage': // valid HTTP, same length, not an ONNX file
      return send(Buffer.from(body.map((_, i) => (i * 131 + 7) & 255)));
    case 'html': // what a wrong hub URL or a captive portal returns
      return send(Buffer.from('<!doctype html><html><body><h1>Sign in to continue</h1></body></html>'), 'text/html; charset=utf-8');
    case 'cut':
    case 'cut-once': {
      // Announce the whole file, send half of it, then drop the connection.
      cutOnceDone.add(url);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    case 'slow':
    case 'stall': {
      // 512-byte chunks every 15 ms; 'stall' sends one chunk and then nothing until the client gives up.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      let at = 0;
      const timer = setInterval(() => {
        if (mode === 'stall' && at > 0) return;
        res.write(body.subarray(at, at + 512));
        at += 512;
        if (at >= body.length) {
          clearInterval(timer);
          res.end();
        }
      }, 15);
      res.on('close', () => clearInterval(timer));
      return;
    }
  }
}

/** A server with Range support (206, Content-Range, ETag); 'range-cut-once' cuts its first answer after 5000 bytes, 'range-slow' trickles. */
function serveRange(req: IncomingMessage, res: ServerResponse, body: Buffer, mode: Mode, url: string): void {
  const asked = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = asked ? Number(asked[1]) : 0;
  if (start >= body.length) return void res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
  const part = body.subarray(start);
  res.writeHead(asked ? 206 : 200, {
    'content-type': 'application/octet-stream',
    'content-length': part.length,
    'accept-ranges': 'bytes',
    etag: '"fixture-v1"',
    ...(asked ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
  });
  if (mode === 'range-cut-once' && !cutOnceDone.has(url)) {
    cutOnceDone.add(url);
    res.write(part.subarray(0, 5000), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  if (mode !== 'range-slow') return void res.end(part);
  let at = 0;
  const timer = setInterval(() => {
    res.write(part.subarray(at, at + 512));
    at += 512;
    if (at >= part.length) {
      clearInterval(timer);
      res.end();
    }
  }, 15);
  res.on('close', () => clearInterval(timer));
}

beforeAll(async () => {
  server = createServer(serve);
  server.setTimeout(20_000); // bounded: a stuck socket cannot outlive the run
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let dbCount = 0;
let store: UseStore;
beforeEach(() => {
  store = createStore(`http-loading-${++dbCount}`, 'files'); // a fresh, empty cache per test
  requests.length = 0;
  ranges.length = 0;
  cutOnceDone.clear();
});

const entryFor = (mode: Mode): ModelEntry => ({ ...findModel(fixtureManifest, 'tiny-sd'), baseUrl: `${origin}/${mode}/models/tiny-sd/` });
const unetUrl = (mode: Mode) => `${origin}/${mode}/models/${FAULTY}`;

function load(mode: Mode, opts: { fetcher?: FileFetcher; onProgress?: (p: Progress) => void; signal?: AbortSignal } = {}) {
  return loadModel(ort, entryFor(mode), {
    provider: 'wasm',
    fetcher: opts.fetcher ?? browserFetcher({ store }),
    graphsBaseUrl: `${origin}/graphs/`,
    assets: appManifest.assets,
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
}

async function expectFailure(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the load should have failed').toBeDefined();
  expect(err).toMatchObject({ code });
  expect((err as Error).message).toMatch(message);
}

describe('loading a model over HTTP (local server, real fetch, IndexedDB cache)', () => {
  test('loads and generates; a second load makes zero HTTP requests (everything from the cache)', async () => {
    const first = await load('ok');
    expect(requests).toHaveLength(9); // 6 model files + 3 helper graphs
    const a = await generate(first, { prompt: 'a red cat', seed: 3, steps: 4 });
    await first.release();
    expect((await keys(store)).length).toBe(9);

    requests.length = 0;
    const second = await load('ok');
    try {
      expect(requests).toEqual([]);
      const b = await generate(second, { prompt: 'a red cat', seed: 3, steps: 4 });
      expect(Buffer.from(b.image.data).equals(Buffer.from(a.image.data))).toBe(true);
    } finally {
      await second.release();
    }
  });

  test('404 -> model-file-missing naming the URL; 500 -> model-download-failed naming the URL', async () => {
    await expectFailure(load('missing'), 'model-file-missing', new RegExp(`${unetUrl('missing').replace(/[.]/g, '\\.')}: HTTP 404 \\(file not found\\)`));
    await expectFailure(load('fail500'), 'model-download-failed', new RegExp(`${unetUrl('fail500').replace(/[.]/g, '\\.')}: HTTP 500`));
  });

  test('a connection cut mid-body -> model-download-failed, nothing cached for that URL; a retry downloads only that file', async () => {
    await expectFailure(load('cut'), 'model-download-failed', /download of .*unet\/model\.onnx was cut/);
    expect(await get(unetUrl('cut'), store)).toBeUndefined();

    // The same store, the server healthy again for that URL: only the UNet is fetched again.
    await expectFailure(load('cut-once'), 'model-download-failed', /was cut/);
    requests.length = 0;
    const m = await load('cut-once');
    try {
      // (The helper graphs are fetched only once the model files are in, so the failed load never asked for them.)
      expect(requests.filter((r) => r.includes('/models/'))).toEqual([`/cut-once/models/${FAULTY}`]);
      expect((await get<Uint8Array>(unetUrl('cut-once'), store))!.byteLength).toBe(readFileSync(fixtureModels + FAULTY).length);
    } finally {
      await m.release();
    }
  });

  test('wrong bytes (valid HTTP, garbage body of the right length) -> model-file-corrupt by SHA-256 after one refetch, never cached', async () => {
    await expectFailure(load('garbage'), 'model-file-corrupt', /unet file of .*unet\/model\.onnx\) does not match its SHA-256 checksum, fetched twice/);
    expect(requests.filter((r) => r.endsWith(FAULTY))).toHaveLength(2);
    expect(await get(unetUrl('garbage'), store)).toBeUndefined();
    expect(await get(`${origin}/garbage/models/tiny-sd/text_encoder/model.onnx`, store)).toBeDefined(); // good files stay
  });

  test.each([
    ['a model file', () => unetUrl('ok')],
    ['a helper graph', () => `${origin}/graphs/latent_step.onnx`],
  ])('%s corrupted in the cache is detected, evicted and fetched again; the load succeeds', async (_, url) => {
    (await load('ok')).release();
    const good = await get<Uint8Array>(url(), store);
    const bad = good!.slice();
    bad[bad.length >> 1]! ^= 0xff; // one flipped byte, same size
    await set(url(), bad, store);
    requests.length = 0;
    const m = await load('ok');
    await m.release();
    expect(requests).toEqual([new URL(url()).pathname]);
    expect(Buffer.from((await get<Uint8Array>(url(), store))!).equals(Buffer.from(good!))).toBe(true);
  });

  test('an HTML page instead of the model -> model-file-missing (text/html), never cached', async () => {
    await expectFailure(load('html'), 'model-file-missing', /unet\/model\.onnx returned a web page instead of the file/);
    expect(await get(unetUrl('html'), store)).toBeUndefined();
  });

  test('a JSON file answered by an HTML page (SPA fallback of a missing file) -> model-file-missing naming the file, not "invalid JSON"', async () => {
    await expectFailure(load('spa'), 'model-file-missing', /scheduler\/scheduler_config\.json returned a web page instead of the file: it is probably missing/);
  });

  test('a slow server: progress arrives in increasing byte order and the load succeeds', async () => {
    const unetBytes: number[] = [];
    const totals: number[] = [];
    const inner = browserFetcher({ store });
    const fetcher: FileFetcher = {
      fetchBytes: (url, onProgress, signal) =>
        inner.fetchBytes(url, (n, t) => (url.endsWith(FAULTY) && unetBytes.push(n), onProgress?.(n, t)), signal),
    };
    const m = await load('slow', { fetcher, onProgress: (p) => totals.push(p.bytesLoaded!) });
    try {
      const size = readFileSync(fixtureModels + FAULTY).length;
      expect(unetBytes.length).toBeGreaterThanOrEqual(Math.floor(size / 512));
      for (let i = 1; i < unetBytes.length; i++) expect(unetBytes[i]).toBeGreaterThan(unetBytes[i - 1]!);
      expect(unetBytes.at(-1)).toBe(size);
      for (let i = 1; i < totals.length; i++) expect(totals[i]).toBeGreaterThanOrEqual(totals[i - 1]!);
      const image = await generate(m, { prompt: 'a cat', seed: 1, steps: 2 });
      expect(image.image.width).toBe(64);
    } finally {
      await m.release();
    }
  });

  test('an AbortSignal cancels a download in progress (cancelled, not a network error) and caches nothing', async () => {
    const abort = new AbortController();
    const inner = browserFetcher({ store });
    const fetcher: FileFetcher = {
      fetchBytes: (url, onProgress, signal) =>
        inner.fetchBytes(url, (n, t) => (url.endsWith(FAULTY) && n > 0 && abort.abort(), onProgress?.(n, t)), signal),
    };
    const started = Date.now();
    await expectFailure(load('stall', { fetcher, signal: abort.signal }), 'cancelled', /download of .*unet\/model\.onnx was cancelled/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await get(unetUrl('stall'), store)).toBeUndefined();
  });
});

describe('resumable, chunked downloads (1 KB chunks, so the 8.7 KB fixture UNet spans 9; 384-byte pieces, some across two chunks)', () => {
  const CHUNK = 1024;
  const PIECE = 384;
  const source = () => readFileSync(fixtureModels + FAULTY);
  const chunked = (extra: Partial<Parameters<typeof browserFetcher>[0]> = {}) => browserFetcher({ store, chunkBytes: CHUNK, pieceBytes: PIECE, ...extra });
  const unetSha256 = () => findModel(fixtureManifest, 'tiny-sd').files.unet.sha256;
  /** Flips one byte of a stored chunk (a Blob; `asArray` stores it back as a Uint8Array, as the cache did before). */
  const flipByte = async (key: string, asArray = false) => {
    const bad = (await storedBytes(await get(key, store)))!.slice();
    bad[10]! ^= 0xff;
    await set(key, asArray ? bad : new Blob([bad]), store);
  };
  /** The UNet as the cache now holds it, read back through a fetcher that may not use the network. */
  const cachedUnet = async (mode: Mode) =>
    browserFetcher({ store, chunkBytes: CHUNK, fetch: () => Promise.reject(new Error('offline')) }).fetchBytes(unetUrl(mode));

  test('a connection cut mid-file: the next load asks only for the rest (Range from the last whole chunk); the bytes are identical', async () => {
    await expectFailure(load('range-cut-once', { fetcher: chunked() }), 'model-download-failed', /was cut after 5000 bytes.*resumes from byte 4096/);
    expect(await get(unetUrl('range-cut-once'), store)).toBeUndefined(); // not complete, so not a cached file
    const m = await load('range-cut-once', { fetcher: chunked() });
    await m.release();
    expect(ranges).toEqual(['', 'bytes=4096-']);
    expect(Buffer.from(await cachedUnet('range-cut-once')).equals(source())).toBe(true);
  });

  test('a reload mid-download (the page gone, a new fetcher on the same IndexedDB) resumes where the stored chunks end', async () => {
    const abort = new AbortController();
    const first = chunked();
    const fetcher: FileFetcher = {
      fetchBytes: (url, onProgress, signal) => first.fetchBytes(url, (n, t) => (url.endsWith(FAULTY) && n >= 3000 && abort.abort(), onProgress?.(n, t)), signal),
    };
    await expectFailure(load('range-slow', { fetcher, signal: abort.signal }), 'cancelled', /cancelled/);
    const m = await load('range-slow', { fetcher: chunked() });
    await m.release();
    expect(ranges).toHaveLength(2);
    expect(ranges[1]).toMatch(/^bytes=(2048|3072)-$/); // 2 or 3 whole chunks were stored before the abort
    expect(Buffer.from(await cachedUnet('range-slow')).equals(source())).toBe(true);
  });

  test('a server without Range support sends the whole file again; the stored chunks are dropped and the file restarts cleanly', async () => {
    await expectFailure(load('cut-once', { fetcher: chunked() }), 'model-download-failed', /was cut/);
    const m = await load('cut-once', { fetcher: chunked() });
    await m.release();
    expect(ranges[1]).toMatch(/^bytes=\d+-$/); // it asked to resume, got a 200 with the whole file
    expect(Buffer.from(await cachedUnet('cut-once')).equals(source())).toBe(true);
    const chunks = (await keys(store)).filter((k) => String(k).startsWith(unetUrl('cut-once') + '#'));
    expect(chunks).toHaveLength(Math.ceil(source().length / CHUNK)); // no leftover partial record or stale chunk
  });

  test('a verified file loads again from its chunks with no request, each piece checked against the digests kept when its whole SHA-256 matched', async () => {
    (await load('range', { fetcher: chunked() })).release();
    const head = await get<{ verified?: { sha256: string; pieceBytes: number; pieces: Uint8Array } }>(unetUrl('range'), store);
    expect(head?.verified).toMatchObject({ sha256: unetSha256(), pieceBytes: PIECE });
    expect(head!.verified!.pieces.byteLength).toBe(Math.ceil(source().length / PIECE) * 32);
    requests.length = 0;
    (await load('range', { fetcher: chunked() })).release();
    expect(requests.filter((r) => r.includes('/models/'))).toEqual([]);
  });

  test('a corrupted cached chunk is detected by its piece digest, the file evicted and fetched again', async () => {
    (await load('range', { fetcher: chunked() })).release();
    await flipByte(`${unetUrl('range')}#chunk3`);
    requests.length = 0;
    const m = await load('range', { fetcher: chunked() });
    await m.release();
    expect(requests).toEqual([`/range/models/${FAULTY}`]);
    expect(Buffer.from(await cachedUnet('range')).equals(source())).toBe(true);
  });

  test('digests kept for another SHA-256 (the manifest names a new file) are not trusted: the whole file is hashed, found wrong and fetched again', async () => {
    (await load('range', { fetcher: chunked() })).release();
    const url = unetUrl('range');
    await flipByte(`${url}#chunk3`);
    // Digests that match the damaged chunks, recorded for another file: they must not stand for the manifest's check.
    const head = (await get<{ verified: object }>(url, store))!;
    const damaged = await cachedUnet('range');
    await set(url, { ...head, verified: { sha256: 'another file', pieceBytes: PIECE, pieces: await pieceDigests(damaged, PIECE) } }, store);
    requests.length = 0;
    (await load('range', { fetcher: chunked() })).release();
    expect(requests).toEqual([`/range/models/${FAULTY}`]);
    expect(Buffer.from(await cachedUnet('range')).equals(source())).toBe(true);
  });

  test('chunks stored as Uint8Array (before chunks were Blobs) are still read, and a corrupted one is still found by the whole SHA-256', async () => {
    (await load('range', { fetcher: chunked() })).release();
    const url = unetUrl('range');
    await set(url, { ...(await get<object>(url, store)), verified: undefined }, store); // a head stored before digests were kept
    for (let i = 0; i < Math.ceil(source().length / CHUNK); i++) await set(`${url}#chunk${i}`, await storedBytes(await get(`${url}#chunk${i}`, store)), store);
    expect(Buffer.from(await cachedUnet('range')).equals(source())).toBe(true);
    await flipByte(`${url}#chunk3`, true);
    requests.length = 0;
    (await load('range', { fetcher: chunked() })).release();
    expect(requests).toEqual([`/range/models/${FAULTY}`]);
    expect(Buffer.from(await cachedUnet('range')).equals(source())).toBe(true);
  });

  test('quota exceeded: the error gives the numbers and what to delete; the model cached before stays whole and loads with no request', async () => {
    (await load('ok')).release();
    const before = (await keys(store)).length;
    // The browser refuses every new write (what a full origin quota does), whatever the key.
    const full: UseStore = (mode, callback) =>
      store(mode, (os) => {
        if (mode === 'readwrite') os.put = () => { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
        return callback(os);
      });
    const estimate = async () => ({ usage: 950 * 2 ** 20, quota: 1000 * 2 ** 20 });
    await expectFailure(
      load('range', { fetcher: browserFetcher({ store: full, estimate }) }),
      'storage-full',
      /The browser's storage is full: http:\/\/127\.0\.0\.1:\d+\/range\/models\/.+ could not be kept \(950 MB used of the 1000 MB this browser allows this site\)\. Models cached before are untouched\. Delete a model you no longer need under "Storage"/,
    );
    expect((await keys(store)).length).toBe(before);
    requests.length = 0;
    const m = await load('ok');
    await m.release();
    expect(requests).toEqual([]);
  });
});
