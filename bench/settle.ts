/**
 * npm run bench:settle — at which denoising step does the layout of the embedded model's picture
 * settle? For ORIGINAL's image of each case and seed, the x0 estimate of every step (the loop's
 * `denoised`, decoded as the previews are) is read by the world judge and its object centroid is
 * taken; a step counts as settled when the estimate agrees with the final image (centroid within
 * 1 px, the judge's reading of each attribute the same) and stays so for every later step.
 * Run with the model's DDIM ('leading' spacing), DDIM 'trailing' and Euler 'linspace', to see what
 * the timestep spacing and the scheduler change. Writes bench/results/tiny-world-settle/{settle.json,settle.md}.
 * Usage: [--limit N (cases, default 40)] [--seeds 0,1] [--steps 20]
 */
import * as ort from 'onnxruntime-web';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseCaseFile } from '../src/core/bench/caseFile.ts';
import { judgedValues } from '../src/core/judge/worldAgreement.ts';
import { foregroundCentroid, median } from '../src/core/metrics/preservation.ts';
import type { RgbaImage } from '../src/core/metrics/image.ts';
import { sample } from '../src/core/pipeline/pipeline.ts';
import { constantSchedule } from '../src/core/pipeline/schedule.ts';
import { createScheduler, type SchedulerConfig, type SchedulerKind } from '../src/core/schedulers/index.ts';
import { ATTRIBUTES } from '../src/core/world/vocabulary.ts';
import { createOrtWorldClassifier } from '../src/engine/judge/worldClassifier.ts';
import { loadAppModel, publicDir, repoRoot } from '../tests/unit/helpers/engine.ts';

const { values } = parseArgs({ options: { limit: { type: 'string', default: '40' }, seeds: { type: 'string', default: '0,1' }, steps: { type: 'string', default: '20' } } });
const steps = Number(values.steps);
const seeds = values.seeds.split(',').map(Number);
const cases = parseCaseFile(readFileSync(repoRoot + 'bench/cases/tiny-world.tsv', 'utf8'), 'tiny-world.tsv').slice(0, Number(values.limit));
const model = await loadAppModel('ores-tiny-world');
const classifier = await createOrtWorldClassifier(ort, readFileSync(publicDir + 'models/ores-tiny-world/judge/model.onnx'), { id: 'ores-tiny-world-judge' });
const guidanceScale = model.entry.defaults.guidanceScale;
const base = model.schedulerConfig as SchedulerConfig;
const variants: { name: string; kind: SchedulerKind; config: SchedulerConfig }[] = [
  { name: "DDIM, 'leading' (the model's)", kind: 'ddim', config: base },
  { name: "DDIM, 'trailing'", kind: 'ddim', config: { ...base, timestep_spacing: 'trailing' } },
  { name: "Euler, 'linspace'", kind: 'euler', config: { ...base, timestep_spacing: 'linspace' } },
];
const keys = ['centroid', 'all attributes', ...ATTRIBUTES] as const;
type Key = (typeof keys)[number];

/** Per step k (after k+1 UNet calls): does the x0 estimate agree with the final image? */
function agreement(images: RgbaImage[], readings: Record<string, string>[]): Record<Key, boolean[]> {
  const last = images.length - 1;
  const final = foregroundCentroid(images[last]!);
  const out = Object.fromEntries(keys.map((k) => [k, [] as boolean[]])) as Record<Key, boolean[]>;
  images.forEach((im, k) => {
    const c = foregroundCentroid(im);
    out.centroid.push(!!c && !!final && Math.hypot(c.x - final.x, c.y - final.y) <= 1);
    for (const a of ATTRIBUTES) out[a].push(readings[k]![a] === readings[last]![a]);
    out['all attributes'].push(ATTRIBUTES.every((a) => readings[k]![a] === readings[last]![a]));
  });
  return out;
}

/** First step from which the agreement holds to the end (1-based: the number of UNet calls). */
const settleStep = (agree: boolean[]): number => {
  let k = agree.length;
  while (k > 0 && agree[k - 1]) k--;
  return k + 1;
};

const results = [];
const t0 = performance.now();
for (const v of variants) {
  const perStep = Object.fromEntries(keys.map((k) => [k, new Array<number>(steps).fill(0)])) as Record<Key, number[]>;
  const settle = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<Key, number[]>;
  let n = 0;
  let signal: number[] = [];
  for (const c of cases) {
    for (const seed of seeds) {
      const scheduler = createScheduler(v.config, v.kind);
      const previews: RgbaImage[] = [];
      const r = await sample(model.backend, model.tokenizer, scheduler, {
        schedule: constantSchedule(steps, c.query, ''),
        steps,
        guidanceScale,
        seed,
        previewEvery: 1,
        onPreview: (s, im) => void (previews[s - 1] = im),
      });
      // The x0 estimate is p*x + q*model_output; for DDIM with v-prediction p = sqrt(alpha_bar_t), the signal's share.
      signal = scheduler.timesteps.map((_, i) => scheduler.denoisedCoefficients(i).p);
      const images = [...previews, r.image];
      const readings = (await classifier.classify(images)).map((p) => judgedValues(p));
      const agree = agreement(images, readings);
      for (const k of keys) {
        agree[k].forEach((ok, i) => (perStep[k][i]! += ok ? 1 : 0));
        settle[k].push(settleStep(agree[k]));
      }
      n++;
    }
  }
  const scheduler = createScheduler(v.config, v.kind);
  scheduler.setTimesteps(steps);
  results.push({
    scheduler: v.name,
    n,
    timesteps: scheduler.timesteps,
    signal,
    agreeByStep: Object.fromEntries(keys.map((k) => [k, perStep[k].map((x) => x / n)])),
    medianSettleStep: Object.fromEntries(keys.map((k) => [k, median(settle[k])])),
    settledBy3: Object.fromEntries(keys.map((k) => [k, settle[k].filter((s) => s <= 3).length / n])),
  });
  console.log(`${v.name}: ${n} images, median settle step ${JSON.stringify(results.at(-1)!.medianSettleStep)}`);
}
const seconds = (performance.now() - t0) / 1000;
const pct = (x: number) => `${Math.round(x * 100)}%`;
const md: string[] = [
  `# When the layout settles (embedded model, ${cases.length} cases of bench/cases/tiny-world.tsv x seeds ${seeds.join(',')}, T = ${steps}, guidance ${guidanceScale})`,
  '',
  'Each step\'s x0 estimate (decoded) against the final image: "centroid" = the object\'s foreground centroid within 1 px of the final one; attributes = the world judge reads the same value. Settle step = the number of UNet calls after which the agreement holds to the end (20 = only at the end).',
  '',
  `| scheduler | n | ${keys.map((k) => `median settle step: ${k}`).join(' | ')} |`,
  `|:---|---:|${keys.map(() => '---:|').join('')}`,
  ...results.map((r) => `| ${r.scheduler} | ${r.n} | ${keys.map((k) => r.medianSettleStep[k]).join(' | ')} |`),
  '',
  `| scheduler | ${keys.map((k) => `settled by step 3: ${k}`).join(' | ')} |`,
  `|:---|${keys.map(() => '---:|').join('')}`,
  ...results.map((r) => `| ${r.scheduler} | ${keys.map((k) => pct(r.settledBy3[k]!)).join(' | ')} |`),
  '',
];
for (const r of results) {
  md.push(`## ${r.scheduler}: share agreeing with the final image, by step`, '', `| after step | timestep | x0 coefficient p | ${keys.join(' | ')} |`, `|---:|---:|---:|${keys.map(() => '---:|').join('')}`);
  for (let i = 0; i < steps; i++) {
    md.push(`| ${i + 1} | ${Math.round(r.timesteps[i]!)} | ${r.signal[i]!.toFixed(3)} | ${keys.map((k) => pct(r.agreeByStep[k]![i]!)).join(' | ')} |`);
  }
  md.push('');
}
md.push(`${seconds.toFixed(0)} s on this machine. Reproduce: \`npm run bench:settle -- --limit ${values.limit} --seeds ${values.seeds} --steps ${steps}\``, '');
const out = repoRoot + 'bench/results/tiny-world-settle/';
mkdirSync(out, { recursive: true });
writeFileSync(out + 'settle.json', JSON.stringify({ cases: cases.length, seeds, steps, guidanceScale, seconds, results }, null, 1) + '\n');
writeFileSync(out + 'settle.md', md.join('\n'));
await model.release();
console.log(`wrote ${out}settle.md in ${seconds.toFixed(0)} s`);
