/**
 * A VQA judge, as the ORES paper used (BLIP-2 asked "Is there {concept} in the image?"). Only the
 * interface and the decision live here; no VQA model ships with this project.
 *
 * VQA models say "yes" far too often and hallucinate objects that usually co-occur with what is
 * shown (POPE, arXiv 2305.10355), so the decision is P(yes) - P(no) > threshold, averaged over
 * question paraphrases, with the threshold meant to be calibrated on labelled images.
 */
import { InvalidInputError } from '../errors.ts';
import type { RgbaImage } from '../metrics/image.ts';
import { combineVerdicts, type ConceptJudge } from './types.ts';

export interface VqaModel {
  readonly id: string;
  /** Probabilities of the answers "yes" and "no" to a question about an image. */
  yesNo(image: RgbaImage, question: string): Promise<{ yes: number; no: number }>;
}

/** The paper's question. */
export const ORES_VQA_QUESTION = 'Is there {concept} in the image?';

export interface VqaJudgeOptions {
  /** Question templates with "{concept}"; the margin is averaged over them. */
  readonly questions?: readonly string[];
  /** Present when mean(P(yes) - P(no)) > threshold (default 0). */
  readonly threshold?: number;
}

export function createVqaJudge(model: VqaModel, o: VqaJudgeOptions = {}): ConceptJudge {
  const questions = o.questions ?? [ORES_VQA_QUESTION];
  if (questions.length === 0 || questions.some((q) => !q.includes('{concept}'))) {
    throw new InvalidInputError('bad-judge-questions', 'Every VQA question must contain "{concept}".');
  }
  const threshold = o.threshold ?? 0;
  return {
    id: `vqa ${model.id}`,
    check() {},
    async judge(images, concepts) {
      const out = [];
      for (const image of images) {
        const verdicts = [];
        for (const concept of concepts) {
          let margin = 0;
          for (const q of questions) {
            const a = await model.yesNo(image, q.replaceAll('{concept}', concept));
            margin += a.yes - a.no;
          }
          margin /= questions.length;
          verdicts.push({ concept, present: margin > threshold, score: (margin + 1) / 2, detail: `P(yes)-P(no) = ${margin.toFixed(2)}` });
        }
        out.push(combineVerdicts(verdicts));
      }
      return out;
    },
  };
}
