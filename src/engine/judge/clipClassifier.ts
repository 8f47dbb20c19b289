/**
 * CLIP zero-shot classification through transformers.js, from local files only (no hub). Thin on
 * purpose: the prompt sets and the decision are in src/core/judge/clipJudge.ts, tested there with
 * a fake classifier. Not run in this project's tests: no CLIP weights can be downloaded here.
 *
 * `modelDir` is a folder in transformers.js layout (config.json, tokenizer files,
 * preprocessor_config.json, onnx/model.onnx), e.g. a local copy of Xenova/clip-vit-base-patch32.
 */
import type { RgbaImage } from '../../core/metrics/image.ts';
import type { ZeroShotClassifier } from '../../core/judge/clipJudge.ts';

export async function createClipClassifier(modelDir: string, o: { device?: 'wasm' | 'webgpu' | 'cpu' } = {}): Promise<ZeroShotClassifier & { release(): Promise<void> }> {
  const { env, pipeline, RawImage } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  const slash = Math.max(modelDir.lastIndexOf('/'), modelDir.lastIndexOf('\\'));
  env.localModelPath = slash >= 0 ? modelDir.slice(0, slash + 1) : './';
  const name = slash >= 0 ? modelDir.slice(slash + 1) : modelDir;
  const classify = await pipeline('zero-shot-image-classification', name, { local_files_only: true, device: o.device });
  return {
    id: name,
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
    release: () => classify.dispose(),
  };
}
