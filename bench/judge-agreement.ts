/**
 * npm run bench:judges — the second world judge (bench/judges/world-b, trained apart from the app's
 * judge: other seed, architecture and augmentation) against the first: each one's accuracy on
 * freshly drawn scenes, and per attribute how often they agree on drawn images and on images
 * the embedded model generated from held-out captions (20 DDIM steps, seeds 0..n-1, as bench:world).
 * Writes bench/results/judge-b.{json,md}. Usage: [--n 300] [--drawn 1000] [--judge-b FILE]
 */
import * as ort from 'onnxruntime-web';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { accuracyByAttribute, agreementByAttribute, judgedValues } from '../src/core/judge/worldAgreement.ts';
import { mulberry32 } from '../src/core/random.ts';
import { drawScene, randomScene } from '../src/core/world/draw.ts';
import { ATTRIBUTES, type Attribute } from '../src/core/world/vocabulary.ts';
import { createOrtWorldClassifier } from '../src/engine/judge/worldClassifier.ts';
import { measureWorldQuality, type CaptionCase } from '../src/node/worldQuality.ts';
import { loadAppModel, publicDir, repoRoot } from '../tests/unit/helpers/engine.ts';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '300' }, drawn: { type: 'string', default: '1000' }, 'judge-b': { type: 'string', default: 'bench/judges/world-b/model.onnx' } },
});
const n = Number(values.n);
const drawnN = Number(values.drawn);
/** Held-out captions always name these (colour, shape, background by construction; count as "a"/"two"). */
const NAMED: Attribute[] = ['colour', 'shape', 'background', 'count'];
const DRAW_SEED = 90210; // a stream neither training (Python) nor the unit tests draw from

const judgeA = await createOrtWorldClassifier(ort, readFileSync(publicDir + 'models/ores-tiny-world/judge/model.onnx'), { id: 'world-a' });
const judgeB = await createOrtWorldClassifier(ort, readFileSync(repoRoot + values['judge-b']), { id: 'world-b' });
const infoB = JSON.parse(readFileSync(repoRoot + values['judge-b'].replace(/model\.onnx$/, 'judge.json'), 'utf8')) as Record<string, unknown>;

const rand = mulberry32(DRAW_SEED);
const scenes = Array.from({ length: drawnN }, () => randomScene(rand));
const drawnImages = scenes.map((s) => drawScene(s, rand));
const [drawnA, drawnB] = [await judgeA.classify(drawnImages), await judgeB.classify(drawnImages)];

const cases = (JSON.parse(readFileSync(repoRoot + 'tests/fixtures/world/heldout_captions.json', 'utf8')) as CaptionCase[]).slice(0, n);
const captionScenes = cases.map((c) => c.scene);
const model = await loadAppModel('ores-tiny-world');
const t0 = performance.now();
const quality = await measureWorldQuality(model, judgeA, cases);
const seconds = (performance.now() - t0) / 1000;
const [genA, genB] = [await judgeA.classify(quality.images), await judgeB.classify(quality.images)];

const result = {
  judgeB: { file: values['judge-b'], seed: infoB.seed, arch: infoB.arch, augment: infoB.augment, heldOutAccuracy: infoB.heldOutAccuracy },
  drawn: { n: drawnN, seed: DRAW_SEED, accuracyA: accuracyByAttribute(drawnA, scenes), accuracyB: accuracyByAttribute(drawnB, scenes), agreement: agreementByAttribute(drawnA, drawnB) },
  generated: {
    n: cases.length,
    steps: 20,
    seeds: `0..${cases.length - 1}`,
    generationSeconds: seconds,
    agreement: agreementByAttribute(genA, genB),
    accuracyA: accuracyByAttribute(genA, captionScenes, NAMED),
    accuracyB: accuracyByAttribute(genB, captionScenes, NAMED),
    disagreements: genA.flatMap((p, i) => {
      const [a, b] = [judgedValues(p), judgedValues(genB[i]!)];
      return ATTRIBUTES.filter((attr) => a[attr] !== b[attr]).map((attr) => ({ seed: i, caption: cases[i]!.caption, attribute: attr, a: a[attr], b: b[attr], captionSays: NAMED.includes(attr) ? captionScenes[i]![attr] : null }));
    }),
  },
};

const pct = (v: number | undefined) => (v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);
const table = [
  `Second world judge (${result.judgeB.file}: ${String(infoB.arch)}, augmentation ${String(infoB.augment)}, seed ${String(infoB.seed)}) against the app's judge (A).`,
  `Drawn: ${drawnN} fresh scenes drawn by src/core/world/draw.ts (seed ${DRAW_SEED}). Generated: the embedded model on ${cases.length} held-out captions`,
  `(20 DDIM steps, default guidance, seeds ${result.generated.seeds}, Node WASM); "vs caption" counts only what every caption names.`,
  '',
  '| attribute | B accuracy, drawn | A accuracy, drawn | A = B, drawn | A = B, generated | A vs caption, generated | B vs caption, generated |',
  '|---|---|---|---|---|---|---|',
  ...ATTRIBUTES.map(
    (a) =>
      `| ${a} | ${pct(result.drawn.accuracyB[a])} | ${pct(result.drawn.accuracyA[a])} | ${pct(result.drawn.agreement[a])} | ${pct(result.generated.agreement[a])} | ${pct(result.generated.accuracyA[a])} | ${pct(result.generated.accuracyB[a])} |`,
  ),
].join('\n');
console.log(table + `\n(${seconds.toFixed(0)} s to generate; ${result.generated.disagreements.length} disagreements on generated images)`);
mkdirSync(repoRoot + 'bench/results', { recursive: true });
writeFileSync(repoRoot + 'bench/results/judge-b.md', table + '\n');
writeFileSync(repoRoot + 'bench/results/judge-b.json', JSON.stringify(result, null, 2) + '\n');
await model.release();
await judgeA.release();
await judgeB.release();
