import { judgedValues } from '../core/judge/worldAgreement.ts';
import type { WorldClassifier } from '../core/judge/worldJudge.ts';
import type { RgbaImage } from '../core/metrics/image.ts';
import type { Scene } from '../core/world/draw.ts';
import { generate } from '../engine/generate.ts';
import type { LoadedModel } from '../engine/loadModel.ts';

/** A held-out caption (tests/fixtures/world/heldout_captions.json) and the scene it was written for. */
export interface CaptionCase {
  caption: string;
  scene: Scene;
}

export interface QualityReport {
  n: number;
  /** Share of images whose judged colour / shape / background match the caption. */
  colour: number;
  shape: number;
  background: number;
  images: RgbaImage[];
  misses: { caption: string; attribute: string; judged: string }[];
}

/** Generates one image per held-out caption and asks the judge what it shows. */
export async function measureWorldQuality(
  model: LoadedModel,
  judge: WorldClassifier,
  cases: readonly CaptionCase[],
  o: { steps?: number; guidanceScale?: number; seed?: number } = {},
): Promise<QualityReport> {
  const images: RgbaImage[] = [];
  for (let i = 0; i < cases.length; i++) {
    const r = await generate(model, { prompt: cases[i]!.caption, seed: (o.seed ?? 0) + i, steps: o.steps, guidanceScale: o.guidanceScale });
    images.push(r.image);
  }
  const predictions = await judge.classify(images);
  const hits = { colour: 0, shape: 0, background: 0 };
  const misses: QualityReport['misses'] = [];
  predictions.forEach((p, i) => {
    const values = judgedValues(p);
    for (const a of ['colour', 'shape', 'background'] as const) {
      const judged = values[a];
      if (judged === cases[i]!.scene[a]) hits[a]++;
      else misses.push({ caption: cases[i]!.caption, attribute: a, judged });
    }
  });
  const n = cases.length;
  return { n, colour: hits.colour / n, shape: hits.shape / n, background: hits.background / n, images, misses };
}
