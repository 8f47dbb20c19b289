/**
 * CLIP zero-shot classification through transformers.js, from files we hand it (never the hub):
 * see clipFiles.ts. Thin on purpose: the prompt sets and the decision are in
 * src/core/judge/clipJudge.ts.
 */
import type { RgbaImage } from '../../core/metrics/image.ts';
import type { ZeroShotClassifier } from '../../core/judge/clipJudge.ts';
import { ModelLoadError } from '../../core/errors.ts';
import { serveClipFiles, type ClipFiles } from './clipFiles.ts';

export interface ClipClassifier extends ZeroShotClassifier {
  release(): Promise<void>;
}

function modelType(config: Uint8Array): string | undefined {
  try {
    return (JSON.parse(new TextDecoder().decode(config)) as { model_type?: string }).model_type;
  } catch {
    return undefined;
  }
}

export async function createClipClassifier(files: ClipFiles, o: { id: string; device?: 'wasm' | 'webgpu' | 'cpu' }): Promise<ClipClassifier> {
  // transformers.js would open any other model type "from its base class" and fail later, less clearly.
  const type = modelType(files.config);
  if (type !== 'clip') throw new ModelLoadError('judge-file-corrupt', `The CLIP judge "${o.id}" has a config.json of model_type "${type ?? 'none'}", not "clip".`);
  const { env, pipeline, RawImage } = await import('@huggingface/transformers');
  const served = serveClipFiles(env, files);
  let classify;
  try {
    // dtype fp32 only picks the file name (onnx/model.onnx); a quantized file runs as it is.
    classify = await pipeline('zero-shot-image-classification', served.modelId, { dtype: 'fp32', device: o.device });
  } catch (e) {
    served.release();
    throw new ModelLoadError('judge-file-corrupt', `The CLIP judge "${o.id}" could not be opened: ${(e as Error).message}`);
  }
  return {
    id: o.id,
    async classify(images: readonly RgbaImage[], labels: readonly string[]) {
      const out: number[][] = [];
      for (const img of images) {
        const raw = new RawImage(new Uint8ClampedArray(img.data), img.width, img.height, 4);
        const result = (await classify(raw, [...labels], { hypothesis_template: '{}' })) as { label: string; score: number }[];
        const byLabel = new Map(result.map((r) => [r.label, r.score]));
        out.push(labels.map((l) => byLabel.get(l) ?? 0));
      }
      return out;
    },
    release: async () => {
      served.release();
      await classify.dispose();
    },
  };
}
