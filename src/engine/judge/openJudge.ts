/**
 * Opens a model's judge (manifest `judge`) in the worker: its files are downloaded and checked
 * like the model's own (fetchChecked, the same cache), then the world classifier or the CLIP
 * classifier opens on them. `verdict` answers a page's JudgeCheck for one image.
 */
import { InvalidInputError } from '../../core/errors.ts';
import { clipDecision } from '../../core/judge/clipJudge.ts';
import { combineVerdicts, type ImageVerdict } from '../../core/judge/types.ts';
import { VERIFY_FLAG_AT, worldVerdict } from '../../core/judge/worldJudge.ts';
import { WORLD } from '../../core/world/vocabulary.ts';
import { judgeFiles, type ModelEntry } from '../../core/manifest.ts';
import type { RgbaImage } from '../../core/metrics/image.ts';
import { clipJudgeId, type JudgeCheck } from '../../core/policy/judgePlan.ts';
import { fetchVerified } from '../checkedFetch.ts';
import type { FileFetcher } from '../fetcher.ts';
import type { Ort } from '../ort.ts';
import { createClipClassifier } from './clipClassifier.ts';
import type { ClipFiles } from './clipFiles.ts';
import { createOrtWorldClassifier } from './worldClassifier.ts';

export interface OpenJudge {
  readonly id: string;
  verdict(image: RgbaImage, check: JudgeCheck): Promise<ImageVerdict>;
  release(): Promise<void>;
}

export interface JudgeDeps {
  ort: Ort;
  fetcher: FileFetcher;
  /** Base for relative URLs (the manifest's folder). */
  origin?: string;
}

function mismatch(id: string, asked: string): never {
  throw new InvalidInputError('judge-mismatch', `The page asked for a ${asked} check, but this model's judge is the ${id}.`);
}

export async function openJudge(entry: ModelEntry, d: JudgeDeps): Promise<OpenJudge> {
  const spec = entry.judge;
  if (!spec) throw new InvalidInputError('no-judge', `"${entry.name}" has no judge: its images cannot be checked.`);
  const files = await Promise.all(
    judgeFiles(entry, d.origin).map(async (f) => [f.role, await fetchVerified(d.fetcher, f.url, `The judge's ${f.role} file of "${entry.name}"`, f)] as const),
  );
  const bytes = Object.fromEntries(files);
  if (spec.kind === 'world') {
    const classifier = await createOrtWorldClassifier(d.ort, bytes.model!, { id: `world judge of ${entry.id}` });
    return {
      id: classifier.id,
      async verdict(image, check) {
        if (check.kind !== 'world') mismatch(classifier.id, check.kind);
        const [prediction] = await classifier.classify([image]);
        return combineVerdicts(check.concepts.map((c) => worldVerdict(prediction!, c, WORLD, VERIFY_FLAG_AT)));
      },
      release: () => classifier.release(),
    };
  }
  const id = clipJudgeId(spec.name);
  const clipFiles: ClipFiles = { model: bytes.model!, config: bytes.config!, tokenizer: bytes.tokenizer!, tokenizerConfig: bytes.tokenizerConfig!, preprocessorConfig: bytes.preprocessorConfig! };
  const classifier = await createClipClassifier(clipFiles, { id });
  return {
    id,
    async verdict(image, check) {
      if (check.kind !== 'clip') mismatch(id, check.kind);
      const verdicts = [];
      for (const set of check.sets) {
        const [scores] = await classifier.classify([image], [...set.present, ...set.absent]);
        verdicts.push(clipDecision(set, scores!));
      }
      return combineVerdicts(verdicts);
    },
    release: () => classifier.release(),
  };
}
