/**
 * tin-mask's per-step mask (values in [0,1] over the latent grid) as a small heat map for the
 * educator view: each latent cell becomes a square of pixels (nearest neighbour, so the grid stays
 * visible) coloured on a dark-to-bright ramp, so "where u′ was allowed to change the picture" reads
 * at a glance and without relying on hue alone.
 */
import type { LatentMask } from '../../core/pipeline/pipeline.ts';
import type { RgbaImage } from '../../core/pipeline/image.ts';

/** Viridis' ends and middle: dark (u kept) to bright yellow (u′ allowed), readable with colour-blindness. */
export const MASK_RAMP: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [33, 145, 140],
  [253, 231, 37],
];

/** The ramp's colour at v (clamped to [0,1]; NaN counts as 0), linearly between its stops. */
export function maskColour(v: number): [number, number, number] {
  const t = Number.isNaN(v) ? 0 : Math.min(1, Math.max(0, v));
  const x = t * (MASK_RAMP.length - 1);
  const i = Math.min(MASK_RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [MASK_RAMP[i]!, MASK_RAMP[i + 1]!];
  return [0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * f)) as [number, number, number];
}

/** The mask as an opaque RGBA image, each cell `scale` x `scale` pixels. */
export function maskToRgba(mask: LatentMask, scale: number): RgbaImage {
  if (mask.data.length !== mask.width * mask.height) throw new Error(`maskToRgba: ${mask.data.length} values for a ${mask.width} x ${mask.height} grid`);
  const width = mask.width * scale;
  const height = mask.height * scale;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = maskColour(mask.data[Math.floor(y / scale) * mask.width + Math.floor(x / scale)]!);
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

/** Nearest-neighbour scale that makes the longer side at least `minSize` pixels. */
export const maskScale = (mask: Pick<LatentMask, 'width' | 'height'>, minSize: number): number => Math.max(1, Math.ceil(minSize / Math.max(mask.width, mask.height)));
