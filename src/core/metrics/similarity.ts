import { assertSameSize, toFloatRgb, toLuminance, type RgbaImage } from './image.ts';

/**
 * ORES visual similarity: 1 - MSE, with MSE taken over the R, G and B channels of every pixel
 * scaled to [0,1] (alpha ignored) and divided by the largest possible MSE, which is 1.
 * Identical images give 1, black vs white gives 0.
 */
export function visualSimilarity(a: RgbaImage, b: RgbaImage): number {
  assertSameSize(a, b);
  const x = toFloatRgb(a);
  const y = toFloatRgb(b);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - y[i]!;
    sum += d * d;
  }
  return 1 - sum / x.length;
}

const WINDOW = 11;
const SIGMA = 1.5;
const C1 = (0.01 * 1) ** 2; // (K1 L)^2 with L = 1
const C2 = (0.03 * 1) ** 2; // (K2 L)^2

/** Normalised 1-D Gaussian of `size` taps centred on the middle (the 11-tap one when size = 11). */
function gaussian(size: number): Float64Array {
  const k = new Float64Array(size);
  const centre = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    k[i] = Math.exp(-((i - centre) ** 2) / (2 * SIGMA * SIGMA));
    sum += k[i]!;
  }
  for (let i = 0; i < size; i++) k[i]! /= sum;
  return k;
}

/** 'valid' separable correlation: out is (w-kx+1) x (h-ky+1). */
function filterValid(src: Float64Array, w: number, h: number, kx: Float64Array, ky: Float64Array): Float64Array {
  const ow = w - kx.length + 1;
  const oh = h - ky.length + 1;
  const tmp = new Float64Array(ow * h);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < ow; c++) {
      let s = 0;
      for (let i = 0; i < kx.length; i++) s += kx[i]! * src[r * w + c + i]!;
      tmp[r * ow + c] = s;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let r = 0; r < oh; r++) {
    for (let c = 0; c < ow; c++) {
      let s = 0;
      for (let i = 0; i < ky.length; i++) s += ky[i]! * tmp[(r + i) * ow + c]!;
      out[r * ow + c] = s;
    }
  }
  return out;
}

/**
 * SSIM (Wang et al. 2004) on luma in [0,1]: 11x11 Gaussian window (sigma 1.5), K1 = 0.01,
 * K2 = 0.03, L = 1, averaged over the 'valid' region (window fully inside the image), as in
 * the reference MATLAB ssim_index. For images narrower or shorter than 11 px the window is
 * clipped to the image size along that axis (same sigma, renormalised), so there is a single
 * window position along that axis instead of no result at all.
 */
export function ssim(a: RgbaImage, b: RgbaImage): number {
  assertSameSize(a, b);
  const { width: w, height: h } = a;
  const x = toLuminance(a);
  const y = toLuminance(b);
  const kx = gaussian(Math.min(WINDOW, w));
  const ky = gaussian(Math.min(WINDOW, h));
  const xx = new Float64Array(x.length);
  const yy = new Float64Array(x.length);
  const xy = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    xx[i] = x[i]! * x[i]!;
    yy[i] = y[i]! * y[i]!;
    xy[i] = x[i]! * y[i]!;
  }
  const mx = filterValid(x, w, h, kx, ky);
  const my = filterValid(y, w, h, kx, ky);
  const exx = filterValid(xx, w, h, kx, ky);
  const eyy = filterValid(yy, w, h, kx, ky);
  const exy = filterValid(xy, w, h, kx, ky);
  let total = 0;
  for (let i = 0; i < mx.length; i++) {
    const mux = mx[i]!;
    const muy = my[i]!;
    const vx = exx[i]! - mux * mux;
    const vy = eyy[i]! - muy * muy;
    const cxy = exy[i]! - mux * muy;
    total += ((2 * mux * muy + C1) * (2 * cxy + C2)) / ((mux * mux + muy * muy + C1) * (vx + vy + C2));
  }
  return total / mx.length;
}
