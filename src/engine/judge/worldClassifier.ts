/**
 * The embedded world's judge network on onnxruntime-web (Node WASM or the browser): RGBA images
 * in, per-attribute class probabilities out. The decision (argmax == the concept's value) is in
 * src/core/judge/worldJudge.ts.
 *
 * Interface of public/models/ores-tiny-world/judge/model.onnx: input "image" float32
 * [B,3,32,32] with RGB scaled to [-1,1] (CHW); outputs "colour","shape","background","pattern",
 * "size","count" (logits, classes in vocabulary.json's order).
 */
import { ModelLoadError } from '../../core/errors.ts';
import { assertRgba, type RgbaImage } from '../../core/metrics/image.ts';
import { ATTRIBUTES, type Attribute } from '../../core/world/vocabulary.ts';
import { softmax, type WorldClassifier, type WorldPrediction } from '../../core/judge/worldJudge.ts';
import type { ExecutionProvider, Ort, OrtSession } from '../ort.ts';

export const JUDGE_SIZE = 32;

/** Resizes to size x size by averaging the source pixels each target pixel covers (box filter). */
export function resizeBox(img: RgbaImage, size: number): RgbaImage {
  assertRgba(img);
  if (img.width === size && img.height === size) return img;
  const out = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    const y0 = Math.floor((y * img.height) / size);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * img.height) / size));
    for (let x = 0; x < size; x++) {
      const x0 = Math.floor((x * img.width) / size);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * img.width) / size));
      const sum = [0, 0, 0, 0];
      for (let sy = y0; sy < y1; sy++) for (let sx = x0; sx < x1; sx++) for (let c = 0; c < 4; c++) sum[c]! += img.data[(sy * img.width + sx) * 4 + c]!;
      const n = (y1 - y0) * (x1 - x0);
      for (let c = 0; c < 4; c++) out[(y * size + x) * 4 + c] = Math.round(sum[c]! / n);
    }
  }
  return { width: size, height: size, data: out };
}

/** RGBA images to the judge's input: float32 [B,3,size,size], RGB in [-1,1]. */
export function judgeInput(images: readonly RgbaImage[], size = JUDGE_SIZE): Float32Array {
  const plane = size * size;
  const out = new Float32Array(images.length * 3 * plane);
  images.forEach((original, b) => {
    const img = resizeBox(original, size);
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) out[(b * 3 + c) * plane + p] = (img.data[p * 4 + c]! / 255) * 2 - 1;
    }
  });
  return out;
}

export interface OrtWorldClassifier extends WorldClassifier {
  release(): Promise<void>;
}

/** Opens the judge's ONNX bytes; `id` names it in results. */
export async function createOrtWorldClassifier(
  ort: Ort,
  bytes: Uint8Array,
  o: { id: string; provider?: ExecutionProvider; batch?: number },
): Promise<OrtWorldClassifier> {
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: [o.provider ?? 'wasm'] });
  } catch (e) {
    throw new ModelLoadError('judge-file-corrupt', `The judge "${o.id}" could not be opened as an ONNX model: ${(e as Error).message}`);
  }
  const missing = ATTRIBUTES.filter((a) => !session.outputNames.includes(a));
  if (!session.inputNames.includes('image') || missing.length > 0) {
    throw new ModelLoadError(
      'judge-file-corrupt',
      `The judge "${o.id}" must take "image" and give ${ATTRIBUTES.join(', ')}; it takes ${session.inputNames.join(', ')} and gives ${session.outputNames.join(', ')}.`,
    );
  }
  const batch = o.batch ?? 64;
  return {
    id: o.id,
    async classify(images) {
      const out: WorldPrediction[] = [];
      for (let start = 0; start < images.length; start += batch) {
        const part = images.slice(start, start + batch);
        const input = new ort.Tensor('float32', judgeInput(part), [part.length, 3, JUDGE_SIZE, JUDGE_SIZE]);
        const result = await session.run({ image: input });
        const logits = {} as Record<Attribute, Float32Array>;
        for (const a of ATTRIBUTES) logits[a] = (await result[a]!.getData()) as Float32Array;
        part.forEach((_, i) => {
          const p = {} as Record<Attribute, Float32Array>;
          for (const a of ATTRIBUTES) {
            const n = result[a]!.dims[1]!;
            p[a] = softmax(logits[a].subarray(i * n, (i + 1) * n));
          }
          out.push(p);
        });
      }
      return out;
    },
    release: () => session.release(),
  };
}
