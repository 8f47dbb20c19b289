/**
 * SHA-256 of each 256 KB piece of a file, recorded once the whole file has matched its SHA-256, so
 * that a warm load checks the cached copy while reading it instead of hashing the whole file after.
 * Why pieces this small: WebCrypto copies its input, and in Chromium a copy this size reuses freed
 * memory while a 16 MB one is fresh memory each time (page faults): hashing 300 MB in 256 KB pieces
 * took 0.3 s, in 16 MB pieces 1.3 s (Chromium on the project's CI kind, see docs/offline.md).
 */
export const PIECE_BYTES = 256 * 1024;
const DIGEST_BYTES = 32;
/** Digests running at once: enough to keep WebCrypto's threads busy, few enough that their copies stay small. */
const IN_FLIGHT = 8;

/** The length of the digest list of `bytes` bytes; where the digests of the piece at byte `bytes` (a piece boundary) begin. */
export const digestsLength = (bytes: number, pieceBytes: number) => Math.ceil(bytes / pieceBytes) * DIGEST_BYTES;

/** The SHA-256 digests of `bytes` cut in pieces of `pieceBytes` (the last may be shorter), concatenated. */
export function pieceDigests(bytes: Uint8Array, pieceBytes = PIECE_BYTES): Promise<Uint8Array> {
  const count = Math.ceil(bytes.byteLength / pieceBytes);
  const out = new Uint8Array(count * DIGEST_BYTES);
  const digest = (i: number) =>
    crypto.subtle.digest('SHA-256', bytes.subarray(i * pieceBytes, (i + 1) * pieceBytes) as Uint8Array<ArrayBuffer>).then((d) => out.set(new Uint8Array(d), i * DIGEST_BYTES));
  let next = 0;
  const lanes = Array.from({ length: Math.min(IN_FLIGHT, count) }, async () => {
    while (next < count) await digest(next++);
  });
  return Promise.all(lanes).then(() => out);
}

/** Whether two digest lists are the same bytes. */
export function sameDigests(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
}
