/**
 * The judges of `bench:ores`, by name: "world" (an attribute classifier of the embedded world, the
 * model's own or another one given with --judge-model) and "clip" (CLIP zero-shot through
 * transformers.js, from a local folder); and the APP method's verifying judge, which must not be
 * the one that measures.
 */
import * as ort from 'onnxruntime-web';
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { InvalidInputError } from '../core/errors.ts';
import type { Lexicon } from '../core/guard/lexicon.ts';
import { createClipJudge } from '../core/judge/clipJudge.ts';
import type { ConceptJudge } from '../core/judge/types.ts';
import { accuracyByAttribute } from '../core/judge/worldAgreement.ts';
import { createWorldJudge, VERIFY_FLAG_AT, type WorldClassifier } from '../core/judge/worldJudge.ts';
import type { ModelEntry } from '../core/manifest.ts';
import { compilePolicy, type CompiledPolicy } from '../core/policy/compile.ts';
import { DEFAULT_MAX_RETRIES } from '../core/policy/verify.ts';
import { mulberry32 } from '../core/random.ts';
import type { AppEnforcement } from '../core/tin/benchmark.ts';
import { drawScene, randomScene } from '../core/world/draw.ts';
import { WORLD } from '../core/world/vocabulary.ts';
import { createOrtWorldClassifier } from '../engine/judge/worldClassifier.ts';
import type { OresBenchOptions } from './oresArgs.ts';
import { readClipFolder } from './clipFolder.ts';
import { REPO_ROOT } from './repoRoot.ts';

/** The world judge's accuracy per attribute on freshly drawn scenes (ground truth, not generated images). */
async function worldJudgeAccuracy(classifier: WorldClassifier, n = 240): Promise<Record<string, number>> {
  const rand = mulberry32(20240);
  const scenes = Array.from({ length: n }, () => randomScene(rand));
  return accuracyByAttribute(await classifier.classify(scenes.map((s) => drawScene(s, rand))), scenes) as Record<string, number>;
}

type JudgeFactory = (o: OresBenchOptions, entry: ModelEntry, root: string, lexicon: Lexicon) => Promise<{ judge: ConceptJudge; release: () => Promise<void>; accuracy?: Record<string, number> }>;

const JUDGES: Readonly<Record<OresBenchOptions['judge'], JudgeFactory>> = {
  async clip(o, _entry, _root, lexicon) {
    if (!o.judgeModel) throw new InvalidInputError('bad-arguments', '--judge clip needs --judge-model DIR: a local CLIP model folder in transformers.js layout (nothing is downloaded).');
    const { createClipClassifier } = await import('../engine/judge/clipClassifier.ts');
    const dir = resolve(o.judgeModel);
    const classifier = await createClipClassifier(await readClipFolder(dir), { id: relative(REPO_ROOT, dir) });
    return { judge: createClipJudge(classifier, { lexicon }), release: () => classifier.release() };
  },
  async world(o, entry, root) {
    const path = resolve(o.judgeModel ?? resolve(root, entry.baseUrl, 'judge/model.onnx'));
    const bytes = await readFile(path).catch(() => {
      throw new InvalidInputError('judge-missing', `The world judge ${path} does not exist. Pass --judge-model FILE, or --judge clip for a Stable Diffusion model.`);
    });
    const classifier = await createOrtWorldClassifier(ort, new Uint8Array(bytes), { id: relative(REPO_ROOT, path) });
    return { judge: createWorldJudge(classifier), release: () => classifier.release(), accuracy: await worldJudgeAccuracy(classifier) };
  },
};

/** The measuring judge the options name. */
export const makeJudge: JudgeFactory = (o, entry, root, lexicon) => JUDGES[o.judge](o, entry, root, lexicon);

/**
 * The APP method's enforcement: the compiled policy (as the page compiles it) and the model's own
 * judge (manifest `judge`), which the app consults. It must not be the judge that measures the run.
 */
export async function appEnforcement(entry: ModelEntry, root: string, lexicon: Lexicon, measuringJudge: string): Promise<{ app: AppEnforcement; release: () => Promise<void> }> {
  if (!entry.judge) throw new InvalidInputError('bad-methods', `The APP method verifies with the model's judge, and "${entry.name}" has none.`);
  if (entry.judge.kind !== 'world') throw new InvalidInputError('bad-methods', `The APP method of bench:ores verifies with a world judge; "${entry.name}" has a ${entry.judge.kind} judge, which the benchmark does not open.`);
  const path = resolve(root, entry.baseUrl, entry.judge.path);
  if (resolve(measuringJudge) === path) {
    throw new InvalidInputError('bad-arguments', `The APP method is verified by ${relative(REPO_ROOT, path)}; measuring it with the same judge would make "0% shown" true by construction. Pass another judge with --judge-model (e.g. bench/judges/world-b/model.onnx).`);
  }
  const classifier = await createOrtWorldClassifier(ort, new Uint8Array(await readFile(path)), { id: relative(REPO_ROOT, path) });
  const verifier = createWorldJudge(classifier, WORLD, VERIFY_FLAG_AT);
  const policies = new Map<string, CompiledPolicy>();
  return {
    app: {
      policyFor(concepts) {
        const key = JSON.stringify(concepts);
        let p = policies.get(key);
        if (!p) policies.set(key, (p = compilePolicy(concepts, { lexicon })));
        return p;
      },
      verify: async (image, concepts) => (await verifier.judge([image], concepts))[0]!,
      maxRetries: DEFAULT_MAX_RETRIES,
    },
    release: () => classifier.release(),
  };
}

