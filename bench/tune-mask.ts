/**
 * npm run bench:tune-mask — tunes tin-mask's settings on bench/cases/tiny-world.tsv: every
 * combination of S, threshold and ramp against ORIGINAL (and TIN at the same S), judged by the world
 * judge: avoidance, attributes kept, median displacement, SSIM, and the mask's mean coverage.
 * Writes bench/results/tiny-world-mask-tuning/{tuning.json,tuning.md}.
 * Usage: [--cases FILE] [--limit N] [--seeds 0,1] [--S 2,3,4] [--threshold 0.2,0.3] [--ramp 0.1]
 */
import * as ort from 'onnxruntime-web';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCaseFile } from '../src/core/bench/caseFile.ts';
import { parseLexicon } from '../src/core/guard/lexicon.ts';
import { createWorldJudge } from '../src/core/judge/worldJudge.ts';
import { createFallbackRewriter } from '../src/core/rewrite/fallbackRewriter.ts';
import { DEFAULT_INSTRUCTIONS } from '../src/core/rewrite/instructions.ts';
import { generateBenchmark, scoreBenchmark, summarizeBenchmark } from '../src/core/tin/benchmark.ts';
import { maskedSchedule, METHODS, withSwitchStep, type Method } from '../src/core/tin/methods.ts';
import { createRewriteProvider } from '../src/core/tin/rewrites.ts';
import type { GenerateRequest } from '../src/core/pipeline/request.ts';
import { generate } from '../src/engine/generate.ts';
import { createOrtWorldClassifier } from '../src/engine/judge/worldClassifier.ts';
import { loadAppModel, publicDir, repoRoot } from '../tests/unit/helpers/engine.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: 'bench/cases/tiny-world.tsv' },
    limit: { type: 'string', default: '20' },
    seeds: { type: 'string', default: '0,1' },
    S: { type: 'string', default: '3' },
    threshold: { type: 'string', default: '0.2,0.3,0.4' },
    ramp: { type: 'string', default: '0.1' },
    out: { type: 'string', default: 'bench/results/tiny-world-mask-tuning' },
  },
});
const list = (s: string) => s.split(',').map(Number);
const cases = parseCaseFile(readFileSync(resolve(repoRoot, values.cases), 'utf8'), values.cases).slice(0, Number(values.limit));
const model = await loadAppModel('ores-tiny-world');
const classifier = await createOrtWorldClassifier(ort, readFileSync(publicDir + 'models/ores-tiny-world/judge/model.onnx'), { id: 'ores-tiny-world-judge' });
const lexicon = parseLexicon(JSON.parse(readFileSync(publicDir + 'guard/lexicon.json', 'utf8')));
const rewrite = createRewriteProvider({ rewriter: createFallbackRewriter({ lexicon }), learnedInstruction: DEFAULT_INSTRUCTIONS.llama });

const variants: Method[] = [];
const coverage = new Map<string, number[]>();
for (const S of list(values.S)) {
  variants.push(withSwitchStep(METHODS.tin, S));
  for (const threshold of list(values.threshold)) {
    for (const ramp of list(values.ramp)) {
      const id = `tin-mask@${S} t${threshold} r${ramp}`;
      variants.push({ ...METHODS['tin-mask'], id, label: id, schedule: (i) => maskedSchedule(i.steps, S, i.query, i.rewritten!, { threshold, ramp }) });
    }
  }
}
// Mask coverage: the mean of the last step's mask, read only for this measurement (one readback more per image).
const gen = async (r: GenerateRequest) => {
  const mask = r.schedule?.mask;
  if (!mask) return generate(model, r);
  const id = `tin-mask@${mask.from} t${mask.threshold} r${mask.ramp}`;
  let last: number[] = [];
  const out = await generate(model, { ...r, previewEvery: 1 }, { onMask: (_s, m) => void (last = Array.from(m.data)) });
  coverage.set(id, [...(coverage.get(id) ?? []), last.reduce((a, b) => a + b, 0) / Math.max(1, last.length)]);
  return out;
};
const t0 = performance.now();
const settings = { methods: variants, seeds: list(values.seeds), steps: model.entry.defaults.steps, switchStep: 3, guidanceScale: model.entry.defaults.guidanceScale };
const { images } = await generateBenchmark(cases, settings, { generate: gen, rewrite });
const records = await scoreBenchmark(cases, images, createWorldJudge(classifier));
const summary = summarizeBenchmark(records).all;
// Which attributes the judge reads differently from ORIGINAL (banned ones included), per method.
const originalReading = new Map(records.filter((r) => r.methodId === 'original').map((r) => [`${r.caseId}/${r.seed}`, r.verdict.attributes!]));
const changed = new Map<string, Record<string, number>>();
for (const r of records) {
  const ref = originalReading.get(`${r.caseId}/${r.seed}`)!;
  const counts = changed.get(r.method) ?? {};
  for (const [a, v] of Object.entries(r.verdict.attributes!)) if (ref[a] !== v) counts[a] = (counts[a] ?? 0) + 1;
  changed.set(r.method, counts);
}
const seconds = (performance.now() - t0) / 1000;
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}`);
const md = [
  `# tin-mask tuning: ${cases.length} cases of ${values.cases} x seeds ${values.seeds}, T = ${settings.steps}, guidance ${settings.guidanceScale}`,
  '',
  '| method | avoidance % | attributes kept % | displacement px (median) | moved > 4 px % | SSIM | similarity | mask coverage (last step) | images whose attribute changed |',
  '|:---|---:|---:|---:|---:|---:|---:|---:|:---|',
  ...summary.map((m) => {
    const cov = coverage.get(variants.find((v) => v.label === m.method)?.id ?? '');
    return `| ${m.method} | ${pct(m.avoidanceRate)} | ${pct(m.attributesKept)} | ${m.displacementPx?.toFixed(2) ?? '–'} | ${pct(m.displacedOver4Px)} | ${m.ssimAll.toFixed(3)} | ${m.similarityAll.toFixed(3)} | ${cov ? pct(cov.reduce((a, b) => a + b, 0) / cov.length) : '–'} | ${Object.entries(changed.get(m.method) ?? {}).map(([a, n]) => `${a} ${n}`).join(', ')} |`;
  }),
  '',
  `${seconds.toFixed(0)} s. Reproduce: \`npm run bench:tune-mask -- --cases ${values.cases} --limit ${values.limit} --seeds ${values.seeds} --S ${values.S} --threshold ${values.threshold} --ramp ${values.ramp}\``,
  '',
].join('\n');
const outDir = resolve(repoRoot, values.out);
mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}/tuning.md`, md);
writeFileSync(`${outDir}/tuning.json`, JSON.stringify({ settings: { ...settings, methods: variants.map((v) => v.id) }, summary, seconds }, null, 1) + '\n');
console.log(md);
await model.release();
