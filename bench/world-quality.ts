/**
 * npm run bench:world — generation quality of the embedded model, as its judge sees it: images
 * from held-out captions (20 DDIM steps, CFG) showing the captioned colour, shape and background.
 * Writes bench/results/world-quality.{json,md} and an image grid. Usage: [--n 300] [--guidance G]
 */
import * as ort from 'onnxruntime-web';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encodePng, imageGrid } from '../src/core/bench/plot.ts';
import { createOrtWorldClassifier } from '../src/engine/judge/worldClassifier.ts';
import { measureWorldQuality, type CaptionCase } from '../src/node/worldQuality.ts';
import { loadAppModel, publicDir, repoRoot } from '../tests/unit/helpers/engine.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '300' }, guidance: { type: 'string' } } });
const n = Number(values.n);
const guidanceScale = values.guidance === undefined ? undefined : Number(values.guidance);
const cases = (JSON.parse(readFileSync(repoRoot + 'tests/fixtures/world/heldout_captions.json', 'utf8')) as CaptionCase[]).slice(0, n);
const model = await loadAppModel('ores-tiny-world');
const judge = await createOrtWorldClassifier(ort, readFileSync(publicDir + 'models/ores-tiny-world/judge/model.onnx'), { id: 'ores-tiny-world-judge' });
const t0 = performance.now();
const r = await measureWorldQuality(model, judge, cases, { guidanceScale });
const seconds = (performance.now() - t0) / 1000;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const table = [
  `Embedded model quality on ${r.n} held-out captions (20 DDIM steps, guidance ${guidanceScale ?? model.entry.defaults.guidanceScale}, seeds 0..${r.n - 1}), judged by its world judge:`,
  '',
  '| object colour | object shape | background |',
  '|---|---|---|',
  `| ${pct(r.colour)} | ${pct(r.shape)} | ${pct(r.background)} |`,
].join('\n');
console.log(table + `\n(${seconds.toFixed(0)} s in Node WASM)`);
mkdirSync(repoRoot + 'bench/results', { recursive: true });
writeFileSync(repoRoot + 'bench/results/world-quality.md', table + '\n');
writeFileSync(
  repoRoot + 'bench/results/world-quality.json',
  JSON.stringify({ n: r.n, colour: r.colour, shape: r.shape, background: r.background, seconds, misses: r.misses }, null, 2) + '\n',
);
const rows = [];
for (let i = 0; i < Math.min(48, r.images.length); i += 12) rows.push(r.images.slice(i, i + 12));
writeFileSync(repoRoot + 'bench/results/world-quality-grid.png', encodePng(imageGrid(rows, 3, 2)));
await model.release();
await judge.release();
