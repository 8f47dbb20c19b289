import { assertRgba, assertSameSize, type RgbaImage } from './image.ts';

/**
 * What a method keeps of ORIGINAL's picture beyond pixels: the judge's reading of the attributes
 * that were not banned, and where the object is. 1 - MSE hides both, since most pixels are background.
 */

/**
 * A pixel belongs to the foreground when one of its channels differs from the background colour by
 * more than this (of 255). The closest object/background pair of the world (green on teal) differs
 * by 58 in its largest channel; decoder noise on flat background stays well under 40.
 */
export const FOREGROUND_THRESHOLD = 40;

/** The background colour: per-channel median of the 1-pixel border (objects never touch the border). */
export function backgroundColour(img: RgbaImage): [number, number, number] {
  assertRgba(img);
  const { width: w, height: h, data } = img;
  const border: number[] = [];
  for (let x = 0; x < w; x++) border.push(x, (h - 1) * w + x);
  for (let y = 1; y < h - 1; y++) border.push(y * w, y * w + w - 1);
  const channel = (c: number) => median(border.map((p) => data[p * 4 + c]!))!;
  return [channel(0), channel(1), channel(2)];
}

/** Centroid (x, y, in pixels) of the pixels that differ from the background colour; null when there are none. */
export function foregroundCentroid(img: RgbaImage, threshold = FOREGROUND_THRESHOLD): { x: number; y: number; pixels: number } | null {
  const bg = backgroundColour(img);
  const { width: w, height: h, data } = img;
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const d = Math.max(Math.abs(data[i]! - bg[0]), Math.abs(data[i + 1]! - bg[1]), Math.abs(data[i + 2]! - bg[2]));
      if (d > threshold) {
        sx += x;
        sy += y;
        n++;
      }
    }
  }
  return n === 0 ? null : { x: sx / n, y: sy / n, pixels: n };
}

/**
 * How far the object moved from `reference` to `img`: the distance between their foreground
 * centroids, in pixels. Meant for single-object scenes (with two objects it is the pair's centre).
 * Null when either image has no foreground.
 */
export function displacementPx(img: RgbaImage, reference: RgbaImage, threshold = FOREGROUND_THRESHOLD): number | null {
  assertSameSize(img, reference);
  const a = foregroundCentroid(img, threshold);
  const b = foregroundCentroid(reference, threshold);
  return a && b ? Math.hypot(a.x - b.x, a.y - b.y) : null;
}

/** The judge's reading of every attribute of one image ("colour" -> "red", ...). */
export type AttributeReading = Readonly<Record<string, string>>;

/** On how many of the attributes other than `banned` the two readings agree. */
export function attributesKept(reading: AttributeReading, reference: AttributeReading, banned: ReadonlySet<string>): { kept: number; of: number; changed: string[] } {
  const changed: string[] = [];
  let of = 0;
  for (const a of Object.keys(reference)) {
    if (banned.has(a)) continue;
    of++;
    if (reading[a] !== reference[a]) changed.push(a);
  }
  return { kept: of - changed.length, of, changed };
}

/** Median of the numbers (mean of the middle two for an even count); null for none. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
