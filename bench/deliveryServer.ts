// The files bench:delivery loads: a synthetic file of seeded bytes on disk and the repo's public/
// folder, served from 127.0.0.1 with Range support and CORS (the Chromium page runs on vite's origin).
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../tests/unit/helpers/engine.ts';

export interface DeliveryServer {
  origin: string;
  /** `${origin}/synthetic.bin` and what it must be. */
  synthetic: { url: string; bytes: number; sha256: string };
  close(): void;
}

/** Seeded pseudo-random bytes (xorshift32), so the synthetic file does not compress or repeat. */
function syntheticFile(path: string, bytes: number): string {
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
  return createHash('sha256').update(data).digest('hex');
}

/** Serves /public/<path> and /synthetic.bin from disk, with Range requests. */
function serve(synthetic: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = decodeURIComponent(req.url ?? '/');
    const file = url === '/synthetic.bin' ? synthetic : url.startsWith('/public/') && !url.includes('..') ? join(repoRoot, url) : '';
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

/** Writes a synthetic file of `bytes` bytes to a temporary folder and serves it (removed on close). */
export async function startDeliveryServer(bytes: number): Promise<DeliveryServer> {
  const tmp = mkdtempSync(join(tmpdir(), 'ores-delivery-'));
  const path = join(tmp, 'synthetic.bin');
  const sha256 = syntheticFile(path, bytes);
  const server = createServer(serve(path));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    synthetic: { url: `${origin}/synthetic.bin`, bytes, sha256 },
    close: () => {
      server.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
