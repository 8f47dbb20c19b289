/** What `bench:ores --resume` keeps of each finished case in <out>.partial/work/: its images and rewrites, as JSON. */
import type { CaseRewrite, GeneratedImage } from '../core/tin/benchmark.ts';

/** A finished case's images and rewrites, as kept in <out>.partial/work/ by --resume. */
export function encodeWork(part: { images: GeneratedImage[]; rewrites: CaseRewrite[] }): string {
  return JSON.stringify({
    rewrites: part.rewrites,
    images: part.images.map((im) => ({ ...im, image: { width: im.image.width, height: im.image.height, data: Buffer.from(im.image.data).toString('base64') } })),
  });
}

export function decodeWork(text: string): { images: GeneratedImage[]; rewrites: CaseRewrite[] } {
  const w = JSON.parse(text) as { rewrites: CaseRewrite[]; images: (Omit<GeneratedImage, 'image'> & { image: { width: number; height: number; data: string } })[] };
  return { rewrites: w.rewrites, images: w.images.map((im) => ({ ...im, image: { width: im.image.width, height: im.image.height, data: new Uint8ClampedArray(Buffer.from(im.image.data, 'base64')) } })) };
}

