/** RGBA pixels (a preview from the worker) as a PNG data URL for an <img>. */
import type { RgbaImage } from '../../core/pipeline/image.ts';

export function rgbaToDataUrl(image: RgbaImage): string {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return '';
  ctx.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
  return canvas.toDataURL('image/png');
}
