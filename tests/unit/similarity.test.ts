import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { createImage, toFloatRgb, toLuminance, type RgbaImage } from '../../src/core/metrics/image.ts';
import { ssim, visualSimilarity } from '../../src/core/metrics/similarity.ts';

/** Builds an image from a per-pixel RGB function (alpha 255). */
function make(w: number, h: number, f: (x: number, y: number) => [number, number, number]): RgbaImage {
  const img = createImage(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.data.set([...f(x, y), 255], (y * w + x) * 4);
  return img;
}

const gray = (w: number, h: number, v: number) => make(w, h, () => [v, v, v]);
const checker = (w: number, h: number, invert = false) =>
  make(w, h, (x, y) => ((x + y) % 2 === 0) !== invert ? [255, 255, 255] : [0, 0, 0]);
/** Deterministic textured image (no Math.random, so failures reproduce). */
const texture = (w: number, h: number, phase: number) =>
  make(w, h, (x, y) => {
    const v = (i: number) => Math.round(127.5 + 127.5 * Math.sin(0.37 * x + 0.23 * y * (i + 1) + phase + i));
    return [v(0), v(1), v(2)];
  });

/** Brute-force SSIM: full 2-D window at every valid position, no separability tricks. */
function naiveSsim(a: RgbaImage, b: RgbaImage): number {
  const { width: w, height: h } = a;
  const X = toLuminance(a);
  const Y = toLuminance(b);
  const kw = Math.min(11, w);
  const kh = Math.min(11, h);
  const win: number[] = [];
  let s = 0;
  for (let j = 0; j < kh; j++)
    for (let i = 0; i < kw; i++) {
      const g = Math.exp(-(((i - (kw - 1) / 2) ** 2 + (j - (kh - 1) / 2) ** 2) / (2 * 1.5 * 1.5)));
      win.push(g);
      s += g;
    }
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  let total = 0;
  let count = 0;
  for (let r = 0; r + kh <= h; r++)
    for (let c = 0; c + kw <= w; c++) {
      let mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
      for (let j = 0; j < kh; j++)
        for (let i = 0; i < kw; i++) {
          const g = win[j * kw + i]! / s;
          const x = X[(r + j) * w + c + i]!;
          const y = Y[(r + j) * w + c + i]!;
          mx += g * x; my += g * y; sxx += g * x * x; syy += g * y * y; sxy += g * x * y;
        }
      const vx = sxx - mx * mx, vy = syy - my * my, cxy = sxy - mx * my;
      total += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      count++;
    }
  return total / count;
}

describe('image helpers', () => {
  it('scales RGB to [0,1], drops alpha, and computes BT.601 luma', () => {
    const img = make(2, 1, (x) => (x === 0 ? [255, 0, 0] : [0, 255, 51]));
    img.data[3] = 0;
    expect([...toFloatRgb(img)]).toEqual([1, 0, 0, 0, 1, 0.2]);
    const y = toLuminance(img);
    expect(y[0]).toBeCloseTo(0.299, 12);
    expect(y[1]).toBeCloseTo(0.587 + 0.114 * 0.2, 12);
  });

  it('rejects buffers that do not match the size', () => {
    const bad: RgbaImage = { width: 2, height: 2, data: new Uint8Array(15) };
    expect(() => visualSimilarity(bad, bad)).toThrow(/expected 16 bytes/);
  });
});

describe('visualSimilarity (1 - MSE)', () => {
  it('is 1 for identical images and 0 for black vs white', () => {
    const t = texture(9, 7, 0);
    expect(visualSimilarity(t, t)).toBe(1);
    expect(visualSimilarity(gray(4, 4, 0), gray(4, 4, 255))).toBe(0);
  });

  it('matches a 2x2 case computed by hand', () => {
    // Pixels black, white, red, black vs all black: squared errors 0 + 3 + 1 + 0 over 12 values.
    const a = make(2, 2, (x, y) => [[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 0, 0]][y * 2 + x] as [number, number, number]);
    expect(visualSimilarity(a, gray(2, 2, 0))).toBeCloseTo(1 - 4 / 12, 12);
    // Mid-grey 51 (= 0.2) vs black: MSE 0.04 in every channel.
    expect(visualSimilarity(gray(2, 2, 51), gray(2, 2, 0))).toBeCloseTo(0.96, 12);
  });

  it('ignores alpha and is symmetric', () => {
    const a = texture(5, 5, 0);
    const b = texture(5, 5, 1);
    const a2 = { ...a, data: Uint8ClampedArray.from(a.data, (v, i) => (i % 4 === 3 ? 0 : v)) };
    expect(visualSimilarity(a2, b)).toBe(visualSimilarity(a, b));
    expect(visualSimilarity(b, a)).toBeCloseTo(visualSimilarity(a, b), 15);
  });

  it('rejects different sizes with size-mismatch', () => {
    try {
      visualSimilarity(gray(2, 2, 0), gray(2, 3, 0));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInputError);
      expect((e as InvalidInputError).code).toBe('size-mismatch');
      expect((e as Error).message).toContain('2x2 vs 2x3');
    }
    expect(() => ssim(gray(12, 12, 0), gray(11, 12, 0))).toThrow(/same size/);
  });
});

describe('ssim', () => {
  it('is 1 for identical images, large and tiny', () => {
    const t = texture(24, 17, 0.5);
    expect(ssim(t, t)).toBeCloseTo(1, 12);
    expect(ssim(checker(2, 2), checker(2, 2))).toBeCloseTo(1, 12);
    expect(ssim(gray(1, 1, 77), gray(1, 1, 77))).toBeCloseTo(1, 12);
  });

  it('is 1 for equal constant images and C1/(1+C1) for black vs white', () => {
    expect(ssim(gray(13, 13, 100), gray(13, 13, 100))).toBeCloseTo(1, 12);
    // mu 0 vs 1, no variance: (C1 * C2) / ((1 + C1) * C2).
    const c1 = 1e-4;
    expect(ssim(gray(13, 13, 0), gray(13, 13, 255))).toBeCloseTo(c1 / (1 + c1), 12);
  });

  it('is strongly negative for a checkerboard vs its inverse', () => {
    expect(ssim(checker(16, 16), checker(16, 16, true))).toBeLessThan(-0.9);
    expect(ssim(checker(4, 3), checker(4, 3, true))).toBeLessThan(-0.9);
  });

  it('matches 2x2 cases computed by hand (window clipped to the image, hence uniform)', () => {
    const c1 = 1e-4;
    const c2 = 9e-4;
    const half = checker(2, 2, true); // x = [0,1,1,0]: mu 0.5, var 0.25
    // vs y = [1,0,0,1]: cov -0.25 -> (0.5 + C1)(-0.5 + C2) / ((0.5 + C1)(0.5 + C2)).
    expect(ssim(half, checker(2, 2))).toBeCloseTo((-0.5 + c2) / (0.5 + c2), 12);
    // vs constant 128 grey: mu_y = 128/255, var_y = 0, cov = 0.
    const my = 128 / 255;
    const want = ((2 * 0.5 * my + c1) * c2) / ((0.25 + my * my + c1) * (0.25 + c2));
    expect(ssim(half, gray(2, 2, 128))).toBeCloseTo(want, 12);
  });

  it('agrees with a brute-force 2-D implementation on textured and small images', () => {
    for (const [w, h] of [[20, 15], [11, 11], [7, 30], [5, 4], [1, 9]] as const) {
      const a = texture(w, h, 0);
      const b = texture(w, h, 0.8);
      expect(ssim(a, b)).toBeCloseTo(naiveSsim(a, b), 12);
      expect(ssim(a, b)).toBeCloseTo(ssim(b, a), 14);
    }
  });
});
