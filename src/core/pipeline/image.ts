import type { RgbaImage } from '../metrics/image.ts';

export type { RgbaImage };

/** Decoder output [1,3,H,W] in [-1,1] to RGBA, as diffusers' postprocess does ((x/2+0.5) clamped). */
export function decoderOutputToRgba(chw: Float32Array, height: number, width: number): RgbaImage {
  const plane = height * width;
  const data = new Uint8ClampedArray(plane * 4);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = (chw[c * plane + i]! + 1) / 2;
      data[i * 4 + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}
