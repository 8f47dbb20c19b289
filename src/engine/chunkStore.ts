import { get, type UseStore } from 'idb-keyval';
import { digestsLength, pieceDigests, sameDigests } from './pieceDigests.ts';

/**
 * How the model cache keeps a large file in IndexedDB. A file up to one chunk is kept whole under
 * its URL. A larger one is kept in chunks (`<url>#chunk<i>`), with a head record under its URL once
 * complete; while it downloads, a `<url>#partial` record says how many chunks are in, so a cut
 * connection or a reload resumes there.
 */
export interface ChunkedHead {
  chunked: true;
  bytes: number;
  chunks: number;
  /** Set once the whole file matched `sha256`: the digests of its pieces (pieceDigests.ts), which then stand for that check. */
  verified?: VerifiedPieces;
}
export interface VerifiedPieces {
  sha256: string;
  pieceBytes: number;
  pieces: Uint8Array;
}
export interface PartialRecord {
  chunks: number;
  /** The server's ETag or Last-Modified, sent as If-Range: a file changed since then is fetched whole again. */
  validator?: string;
}
export const chunkKey = (url: string, i: number) => `${url}#chunk${i}`;
export const partialKey = (url: string) => `${url}#partial`;
export const isHead = (v: unknown): v is ChunkedHead => typeof v === 'object' && v !== null && (v as ChunkedHead).chunked === true;

/**
 * A chunk is stored as a Blob: Chromium writes and reads Blob values two to three times faster than
 * typed arrays (docs/offline.md, "Resumable downloads"). Chunks stored as Uint8Array before are
 * still read.
 */
export const storedChunk = (bytes: Uint8Array): Blob => new Blob([bytes as Uint8Array<ArrayBuffer>]);
type StoredChunk = Blob | Uint8Array;
const storedSize = (c: StoredChunk) => (c instanceof Blob ? c.size : c.byteLength);

/** A stored chunk's bytes (undefined when the record is not a chunk). */
export async function storedBytes(c: unknown): Promise<Uint8Array | undefined> {
  if (c instanceof Blob) return new Uint8Array(await c.arrayBuffer());
  return c instanceof Uint8Array ? c : undefined;
}

/** The buffer a Blob is streamed through: small and reused, because in Chromium fresh memory is the slow part of a read. */
const SCRATCH_BYTES = 1024 * 1024;

/**
 * Copies a stored chunk into `out` at `at`. A Blob is read with a BYOB reader into `scratch` (which
 * the read hands back as a new object: the returned one is the one to use next) rather than into
 * a 16 MB buffer of its own per chunk (about three times faster). False when the Blob ended early.
 */
async function fill(out: Uint8Array, at: number, c: StoredChunk, scratch: ArrayBuffer): Promise<ArrayBuffer | false> {
  if (c instanceof Uint8Array) {
    out.set(c, at);
    return scratch;
  }
  const reader = c.stream().getReader({ mode: 'byob' });
  let n = 0;
  try {
    while (n < c.size) {
      const { value, done } = await reader.read(new Uint8Array(scratch, 0, Math.min(scratch.byteLength, c.size - n)));
      if (value) scratch = value.buffer as ArrayBuffer;
      if (done || !value) break;
      out.set(value, at + n);
      n += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  return n === c.size && scratch;
}

export interface ChunkRead {
  bytes: Uint8Array;
  /** When read with the verified pieces: whether every piece matched. */
  intact?: boolean;
}

/**
 * The file under a chunked head, read chunk by chunk into one buffer of its size. Given the verified
 * pieces, each piece is hashed as soon as it is in, while the next chunk is read, and compared with
 * its digest. Undefined when a chunk is missing or the sizes do not add up.
 */
export async function readChunks(store: UseStore, url: string, head: ChunkedHead, verified?: VerifiedPieces): Promise<ChunkRead | undefined> {
  const out = new Uint8Array(head.bytes);
  let scratch = new ArrayBuffer(SCRATCH_BYTES);
  const checks: Promise<boolean>[] = [];
  let at = 0;
  let hashed = 0;
  for (let i = 0; i < head.chunks; i++) {
    const c = await get<unknown>(chunkKey(url, i), store).catch(() => undefined);
    if (!(c instanceof Blob || c instanceof Uint8Array) || at + storedSize(c) > head.bytes) return undefined;
    const next = await fill(out, at, c, scratch);
    if (!next) return undefined;
    scratch = next;
    at += storedSize(c);
    if (verified) {
      // Whole pieces only, but the file's last piece with the last chunk.
      const { pieceBytes, pieces } = verified;
      const upTo = i === head.chunks - 1 ? at : at - (at % pieceBytes);
      if (upTo > hashed) {
        const expected = pieces.subarray(digestsLength(hashed, pieceBytes), digestsLength(upTo, pieceBytes));
        checks.push(pieceDigests(out.subarray(hashed, upTo), pieceBytes).then((d) => sameDigests(d, expected)));
        hashed = upTo;
      }
    }
  }
  if (at !== head.bytes) return undefined;
  if (!verified) return { bytes: out };
  const complete = verified.pieces.byteLength === digestsLength(head.bytes, verified.pieceBytes);
  return { bytes: out, intact: (await Promise.all(checks)).every(Boolean) && complete };
}
