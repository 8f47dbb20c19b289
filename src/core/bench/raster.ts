import type { RgbaImage } from '../metrics/image.ts';

/** An RGBA colour, 0..255 per channel. */
export type Rgba = readonly [number, number, number, number];

/** Fills [x, x+w) x [y, y+h), clipped to the image, so callers can draw near edges freely. */
export function fillRect(img: RgbaImage, x: number, y: number, w: number, h: number, c: Rgba): void {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(img.width, Math.round(x + w));
  const y1 = Math.min(img.height, Math.round(y + h));
  for (let yy = y0; yy < y1; yy++) {
    for (let xx = x0; xx < x1; xx++) img.data.set(c, (yy * img.width + xx) * 4);
  }
}

/** Unfilled rectangle with a 1 px border. */
export function strokeRect(img: RgbaImage, x: number, y: number, w: number, h: number, c: Rgba): void {
  fillRect(img, x, y, w, 1, c);
  fillRect(img, x, y + h - 1, w, 1, c);
  fillRect(img, x, y, 1, h, c);
  fillRect(img, x + w - 1, y, 1, h, c);
}
