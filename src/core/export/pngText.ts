/**
 * Text chunks in PNG files, so that an image carries its provenance (prompt, rewrite, policy,
 * model, seed, steps, S) wherever it is copied. fast-png writes only Latin-1 tEXt; prompts can be
 * any Unicode, so text that is not Latin-1 goes in an uncompressed UTF-8 iTXt chunk instead.
 */
import { InvalidInputError } from '../errors.ts';

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The CRC-32 PNG chunks end with (over the chunk type and data). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const isLatin1 = (s: string): boolean => /^[\u0000-\u00ff]*$/.test(s);
const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0));

interface Chunk {
  readonly type: string;
  readonly start: number;
  readonly data: Uint8Array;
  readonly crcOk: boolean;
}

function chunks(png: Uint8Array): Chunk[] {
  if (png.length < 8 || SIGNATURE.some((b, i) => png[i] !== b)) throw new InvalidInputError('not-png', 'The file is not a PNG image (its first bytes are not the PNG signature).');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: Chunk[] = [];
  for (let at = 8; at + 12 <= png.length; ) {
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (end > png.length) throw new InvalidInputError('not-png', `The PNG is cut: a chunk at byte ${at} runs past the end of the file.`);
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    const type = String.fromCharCode(...typeAndData.subarray(0, 4));
    out.push({ type, start: at, data: typeAndData.subarray(4), crcOk: crc32(typeAndData) === view.getUint32(at + 8 + length) });
    at = end;
    if (type === 'IEND') break;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(latin1(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function textChunk(keyword: string, text: string): Uint8Array {
  if (!/^[\u0021-\u007e\u00a1-\u00ff](?:[\u0020-\u007e\u00a1-\u00ff]{0,77}[\u0021-\u007e\u00a1-\u00ff])?$/.test(keyword) || keyword.includes('  ')) {
    throw new InvalidInputError('bad-png-keyword', `"${keyword}" cannot be a PNG text keyword: it must be 1-79 Latin-1 characters, without leading, trailing or double spaces.`);
  }
  const key = latin1(keyword);
  if (isLatin1(text)) return chunk('tEXt', concat([key, Uint8Array.of(0), latin1(text)]));
  // iTXt: keyword, 0, compression flag 0, method 0, empty language tag, 0, empty translated keyword, 0, UTF-8 text
  return chunk('iTXt', concat([key, Uint8Array.of(0, 0, 0, 0, 0), new TextEncoder().encode(text)]));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A copy of `png` with one text chunk per entry, inserted before IEND (pixels untouched). */
export function addTextChunks(png: Uint8Array, entries: Readonly<Record<string, string>>): Uint8Array {
  const end = chunks(png).find((c) => c.type === 'IEND');
  if (!end) throw new InvalidInputError('not-png', 'The PNG has no IEND chunk: the file is cut.');
  return concat([png.subarray(0, end.start), ...Object.entries(entries).map(([k, v]) => textChunk(k, v)), png.subarray(end.start)]);
}

/** The tEXt and uncompressed iTXt chunks of `png` whose CRC is right, keyword -> text. */
export function readTextChunks(png: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const decoder = new TextDecoder('latin1');
  for (const c of chunks(png)) {
    if (!c.crcOk || (c.type !== 'tEXt' && c.type !== 'iTXt')) continue;
    const zero = c.data.indexOf(0);
    if (zero < 1) continue;
    const keyword = decoder.decode(c.data.subarray(0, zero));
    if (c.type === 'tEXt') out[keyword] = decoder.decode(c.data.subarray(zero + 1));
    else if (c.data[zero + 1] === 0) {
      const lang = c.data.indexOf(0, zero + 3);
      const translated = lang < 0 ? -1 : c.data.indexOf(0, lang + 1);
      if (translated >= 0) out[keyword] = new TextDecoder().decode(c.data.subarray(translated + 1));
    }
  }
  return out;
}
