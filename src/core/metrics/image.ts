import { InvalidInputError } from '../errors.ts';

/** An 8-bit RGBA raster, row-major, 4 bytes per pixel (same layout as canvas ImageData). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** Allocates an image filled with one colour (default opaque white). */
export function createImage(
  width: number,
  height: number,
  rgba: readonly [number, number, number, number] = [255, 255, 255, 255],
): RgbaImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidInputError('bad-image', `Image size must be positive integers, got ${width}x${height}`);
  }
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
  return { width, height, data };
}

/** Rejects images whose buffer does not match their size, so metrics never read garbage. */
export function assertRgba(img: RgbaImage, name = 'image'): void {
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidInputError('bad-image', `${name}: size must be positive integers, got ${width}x${height}`);
  }
  if (data.length !== width * height * 4) {
    throw new InvalidInputError(
      'bad-image',
      `${name}: expected ${width * height * 4} bytes for ${width}x${height} RGBA, got ${data.length}`,
    );
  }
}

/** Both images valid and the same size; metrics compare pixel by pixel. */
export function assertSameSize(a: RgbaImage, b: RgbaImage): void {
  assertRgba(a, 'first image');
  assertRgba(b, 'second image');
  if (a.width !== b.width || a.height !== b.height) {
    throw new InvalidInputError(
      'size-mismatch',
      `Images must have the same size to be compared: ${a.width}x${a.height} vs ${b.width}x${b.height}`,
    );
  }
}

/** RGB scaled to [0,1], 3 values per pixel; alpha is dropped. */
export function toFloatRgb(img: RgbaImage): Float64Array {
  assertRgba(img);
  const n = img.width * img.height;
  const out = new Float64Array(n * 3);
  for (let p = 0; p < n; p++) {
    out[p * 3] = img.data[p * 4]! / 255;
    out[p * 3 + 1] = img.data[p * 4 + 1]! / 255;
    out[p * 3 + 2] = img.data[p * 4 + 2]! / 255;
  }
  return out;
}

/** Luma Y = 0.299R + 0.587G + 0.114B (ITU-R BT.601) in [0,1], one value per pixel. */
export function toLuminance(img: RgbaImage): Float64Array {
  assertRgba(img);
  const n = img.width * img.height;
  const out = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    out[p] = (0.299 * img.data[p * 4]! + 0.587 * img.data[p * 4 + 1]! + 0.114 * img.data[p * 4 + 2]!) / 255;
  }
  return out;
}
