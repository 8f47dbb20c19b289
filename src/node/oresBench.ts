/**
 * `npm run bench:ores`: the ORES benchmark from the command line. Reads an ORES case file, runs
 * every method with the same model and seeds (Node WASM, or headless Chromium on WebGPU with
 * --browser), judges the images, and writes results.json, results.md, plot.png and grid.png to
 * --out atomically (see AtomicDir).
 */
import * as ort from 'onnxruntime-web';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parseCaseFile, type OresCase } from '../core/bench/caseFile.ts';
import { encodePng } from '../core/bench/plot.ts';
import { InvalidInputError, OresError } from '../core/errors.ts';
import { parseLexicon } from '../core/guard/lexicon.ts';
import { findModel, parseManifest, type ModelEntry } from '../core/manifest.ts';
import { createClipJudge } from '../core/judge/clipJudge.ts';
import type { ConceptJudge } from '../core/judge/types.ts';
import { createWorldJudge, type WorldClassifier } from '../core/judge/worldJudge.ts';
import { drawScene, randomScene } from '../core/world/draw.ts';
import { mulberry32 } from '../core/random.ts';
import { ATTRIBUTES, valuesOf } from '../core/world/vocabulary.ts';
import { createFallbackRewriter } from '../core/rewrite/fallbackRewriter.ts';
import { DEFAULT_INSTRUCTIONS } from '../core/rewrite/instructions.ts';
import type { Rewriter } from '../core/rewrite/types.ts';
import { switchStepFromFraction } from '../core/pipeline/schedule.ts';
import { caseKind, checkSettings, generateBenchmark, scoreBenchmark, summarizeBenchmark, withOriginal, type BenchProgress, type BenchSettings, type CaseKind, type CaseRewrite, type GeneratedImage } from '../core/tin/benchmark.ts';
import { measurePipelining } from '../core/tin/latency.ts';
import { parseMethodList, type Method } from '../core/tin/methods.ts';
import { RESULTS_FORMAT, resultsGrid, resultsMarkdown, resultsPlot, type BenchResults, type LatencyReport } from '../core/tin/report.ts';
import { createRewriteProvider, delayedRewriter } from '../core/tin/rewrites.ts';
import { generate } from '../engine/generate.ts';
import { loadModel } from '../engine/loadModel.ts';
import { createOrtWorldClassifier } from '../engine/judge/worldClassifier.ts';
import { AtomicDir, writeFileAtomically } from './atomicDir.ts';
import { fsFetcher } from './fsFetcher.ts';

export const REPO_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const APP_MANIFEST = 'models-manifest/models.json';

export interface OresBenchOptions {
  cases: string;
  out: string;
  model?: string;
  /** A models manifest; default the app's. Its model files are read from --model-root. */
  manifest: string;
  /** Default: public/ for the app's manifest, the manifest's folder otherwise. */
  modelRoot?: string;
  methods: string;
  seeds: number[];
  steps?: number;
  switchFraction?: number;
  switchStep?: number;
  guidance?: number;
  judge: 'world' | 'clip';
  judgeModel?: string;
  /** Fake rewriter latency for the pipelining measurement; 0 skips it. */
  latencyMs: number;
  latencyRuns: number;
  browser: boolean;
  /** Keep each finished case in <out>.partial and pick them up when the same run is started again. */
  resume: boolean;
  /** With --resume: stop (unpublished) after generating this many new cases; the same command goes on later. */
  stopAfter?: number;
  /** With --resume: generate only the cases whose index is `index` modulo `count`, so that several processes share one run. */
  shard?: { index: number; count: number };
  limit?: number;
  /** How the run was started, for results.md's "Reproduce" line. */
  command: string;
  log: (line: string) => void;
}

const USAGE = `Usage: npm run bench:ores -- --cases FILE --out DIR [options]
  --cases FILE        ORES case file (concept TAB object TAB query)
  --out DIR           output folder (replaced atomically when the run completes)
  --model ID          model id (default: the manifest's default)
  --manifest FILE     models manifest (default ${APP_MANIFEST})
  --model-root DIR    where the manifest's relative model URLs point (default public/ or the manifest's folder)
  --methods LIST      comma-separated: original,blacklist,negative,tin,tin-plain,tin-noswitch,tin-neg,sld,tin-sld,tin-mask
                      or all (default all); switching ones take @S (e.g. tin@2)
  --seeds LIST        e.g. 0,1,2,3,4 or 0-4 (default 0-4)
  --steps T           denoising steps (default: the model's)
  --switch F          S as a fraction of T (default: the model's switchFraction)
  --switch-step S     S as a step number (instead of --switch)
  --guidance G        classifier-free guidance scale (default: the model's)
  --judge world|clip  world: the embedded world's judge; clip: CLIP zero-shot (needs --judge-model)
  --judge-model PATH  world: judge ONNX file (default <model>/judge/model.onnx); clip: local transformers.js model folder
  --latency-ms N      fake rewriter latency for the pipelining measurement (default 300; 0 skips)
  --latency-runs N    images per variant for it (default 6)
  --limit N           only the first N cases
  --browser           generate in headless Chromium on WebGPU (judging stays in Node)
  --resume            keep each finished case in DIR.partial; the same command started again goes on from there
  --stop-after N      with --resume: stop after N new cases (run the benchmark in sessions)
  --shard K/N         with --resume: generate only every N-th case from the K-th (0-based), to share a run
                      among N processes (one per core); then the same command without --shard publishes
Or: npm run bench:ores -- --report-from DIR   (re-render DIR's results.md and plot.png from its results.json)`;

function num(flag: string, v: string | undefined, integer = false): number {
  const n = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new InvalidInputError('bad-arguments', `${flag} needs a ${integer ? 'whole ' : ''}number, got ${v === undefined ? 'nothing' : `"${v}"`}.\n${USAGE}`);
  }
  return n;
}

export function parseSeeds(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a) throw new InvalidInputError('bad-seeds', `The seed range "${part}" runs backwards.`);
      for (let s = a; s <= b; s++) out.push(s);
    } else if (/^\d+$/.test(part)) out.push(Number(part));
    else throw new InvalidInputError('bad-seeds', `"${part}" is not a seed (whole numbers, e.g. 0,1,2 or 0-4).`);
  }
  if (out.length === 0) throw new InvalidInputError('bad-seeds', 'No seed was given.');
  return out;
}

export function parseOresArgs(argv: readonly string[], log: (line: string) => void = console.log): OresBenchOptions {
  const o: Partial<OresBenchOptions> & { methods: string; seeds: number[] } = {
    manifest: APP_MANIFEST,
    methods: 'all',
    seeds: [0, 1, 2, 3, 4],
    judge: 'world',
    latencyMs: 300,
    latencyRuns: 6,
    browser: false,
    resume: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new InvalidInputError('bad-arguments', `${flag} needs a value.\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--cases': o.cases = value(); break;
      case '--out': o.out = value(); break;
      case '--model': o.model = value(); break;
      case '--manifest': o.manifest = value(); break;
      case '--model-root': o.modelRoot = value(); break;
      case '--methods': o.methods = value(); break;
      case '--seeds': o.seeds = parseSeeds(value()); break;
      case '--steps': o.steps = num(flag, value(), true); break;
      case '--switch': o.switchFraction = num(flag, value()); break;
      case '--switch-step': o.switchStep = num(flag, value(), true); break;
      case '--guidance': o.guidance = num(flag, value()); break;
      case '--judge': {
        const j = value();
        if (j !== 'world' && j !== 'clip') throw new InvalidInputError('bad-arguments', `--judge is "world" or "clip", got "${j}".`);
        o.judge = j;
        break;
      }
      case '--judge-model': o.judgeModel = value(); break;
      case '--latency-ms': o.latencyMs = num(flag, value()); break;
      case '--latency-runs': o.latencyRuns = num(flag, value(), true); break;
      case '--limit': o.limit = num(flag, value(), true); break;
      case '--browser': o.browser = true; break;
      case '--resume': o.resume = true; break;
      case '--stop-after': o.stopAfter = num(flag, value(), true); break;
      case '--shard': o.shard = parseShard(value()); break;
      case '--help': case '-h': throw new InvalidInputError('help', USAGE);
      default: throw new InvalidInputError('bad-arguments', `Unknown argument "${flag}".\n${USAGE}`);
    }
  }
  if (!o.cases) throw new InvalidInputError('bad-arguments', `--cases is required.\n${USAGE}`);
  if (!o.out) throw new InvalidInputError('bad-arguments', `--out is required.\n${USAGE}`);
  if (o.stopAfter !== undefined && !o.resume) throw new InvalidInputError('bad-arguments', '--stop-after needs --resume (otherwise the work is lost).');
  if (o.shard !== undefined && !o.resume) throw new InvalidInputError('bad-arguments', '--shard needs --resume (the shards meet in DIR.partial).');
  if (o.switchFraction !== undefined && o.switchStep !== undefined) throw new InvalidInputError('bad-arguments', 'Give --switch or --switch-step, not both.');
  parseMethodList(o.methods); // unknown names fail now
  const command = ['npm run bench:ores --', ...argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))].join(' ');
  return { ...(o as OresBenchOptions), command, log };
}

function parseShard(spec: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(count >= 1 && index < count)) throw new InvalidInputError('bad-arguments', `--shard is K/N with 0 <= K < N (e.g. 0/2 and 1/2), got "${spec}".`);
  return { index, count };
}

interface Engine {
  runtime: string;
  generateCases(cases: readonly OresCase[], settings: BenchSettings, onProgress: (p: BenchProgress) => void): Promise<{ images: GeneratedImage[]; rewrites: CaseRewrite[] }>;
  latency(cases: readonly OresCase[], settings: BenchSettings, rewriteMs: number, runs: number): Promise<LatencyReport>;
  close(): Promise<void>;
}

async function nodeEngine(entry: ModelEntry, root: string, rewriter: Rewriter): Promise<Engine> {
  const model = await loadModel(ort, entry, { provider: 'wasm', fetcher: fsFetcher(root), graphsBaseUrl: resolve(REPO_ROOT, 'public/graphs') + '/' });
  const gen = (r: Parameters<typeof generate>[1]) => generate(model, r);
  const instruction = DEFAULT_INSTRUCTIONS.llama;
  return {
    runtime: `Node ${process.version}, onnxruntime-web ${ort.env.versions.web ?? ''} on WASM`,
    generateCases: (cases, settings, onProgress) =>
      generateBenchmark(cases, settings, { generate: gen, rewrite: createRewriteProvider({ rewriter, learnedInstruction: instruction }), onProgress }),
    latency: (cases, settings, rewriteMs, runs) =>
      measurePipelining({ generate: gen, rewriter: delayedRewriter(rewriter, rewriteMs), rewriteMs, instruction, cases, steps: settings.steps, switchAt: settings.switchAt, guidanceScale: settings.guidanceScale, runs }),
    close: () => model.release(),
  };
}

/** The world judge's accuracy per attribute on freshly drawn scenes (ground truth, not generated images). */
async function worldJudgeAccuracy(classifier: WorldClassifier, n = 240): Promise<Record<string, number>> {
  const rand = mulberry32(20240);
  const scenes = Array.from({ length: n }, () => randomScene(rand));
  const predictions = await classifier.classify(scenes.map((s) => drawScene(s, rand)));
  const out: Record<string, number> = {};
  for (const a of ATTRIBUTES) {
    const names = valuesOf(a);
    out[a] = scenes.filter((s, i) => {
      const p = Array.from(predictions[i]![a]);
      return names[p.indexOf(Math.max(...p))] === s[a];
    }).length / n;
  }
  return out;
}

/** A finished case's images and rewrites, as kept in <out>.partial/work/ by --resume. */
function encodeWork(part: { images: GeneratedImage[]; rewrites: CaseRewrite[] }): string {
  return JSON.stringify({
    rewrites: part.rewrites,
    images: part.images.map((im) => ({ ...im, image: { width: im.image.width, height: im.image.height, data: Buffer.from(im.image.data).toString('base64') } })),
  });
}

function decodeWork(text: string): { images: GeneratedImage[]; rewrites: CaseRewrite[] } {
  const w = JSON.parse(text) as { rewrites: CaseRewrite[]; images: (Omit<GeneratedImage, 'image'> & { image: { width: number; height: number; data: string } })[] };
  return { rewrites: w.rewrites, images: w.images.map((im) => ({ ...im, image: { width: im.image.width, height: im.image.height, data: new Uint8ClampedArray(Buffer.from(im.image.data, 'base64')) } })) };
}

async function makeJudge(o: OresBenchOptions, entry: ModelEntry, root: string, lexicon: ReturnType<typeof parseLexicon>): Promise<{ judge: ConceptJudge; release: () => Promise<void>; accuracy?: Record<string, number> }> {
  if (o.judge === 'clip') {
    if (!o.judgeModel) throw new InvalidInputError('bad-arguments', '--judge clip needs --judge-model DIR: a local CLIP model folder in transformers.js layout (nothing is downloaded).');
    const { createClipClassifier } = await import('../engine/judge/clipClassifier.ts');
    const classifier = await createClipClassifier(resolve(o.judgeModel));
    return { judge: createClipJudge(classifier, { lexicon }), release: () => classifier.release() };
  }
  const path = resolve(o.judgeModel ?? resolve(root, entry.baseUrl, 'judge/model.onnx'));
  const bytes = await readFile(path).catch(() => {
    throw new InvalidInputError('judge-missing', `The world judge ${path} does not exist. Pass --judge-model FILE, or --judge clip for a Stable Diffusion model.`);
  });
  const classifier = await createOrtWorldClassifier(ort, new Uint8Array(bytes), { id: relative(REPO_ROOT, path) });
  return { judge: createWorldJudge(classifier), release: () => classifier.release(), accuracy: await worldJudgeAccuracy(classifier) };
}

export async function runOresBench(o: OresBenchOptions): Promise<BenchResults> {
  const started = performance.now();
  const casesPath = resolve(o.cases);
  const caseText = await readFile(casesPath, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new InvalidInputError('bad-case-file', `The case file ${o.cases} could not be read (${e.code ?? e.message}).`);
  });
  let cases = parseCaseFile(caseText, o.cases);
  if (o.limit !== undefined) cases = cases.slice(0, o.limit);
  const manifestPath = resolve(o.manifest);
  const manifest = parseManifest(JSON.parse(await readFile(manifestPath, 'utf8')), o.manifest);
  const entry = findModel(manifest, o.model ?? manifest.defaultModel);
  const root = o.modelRoot ? resolve(o.modelRoot) : manifestPath === resolve(REPO_ROOT, APP_MANIFEST) ? resolve(REPO_ROOT, 'public') : dirname(manifestPath);
  const methods: Method[] = withOriginal(parseMethodList(o.methods));
  const steps = o.steps ?? entry.defaults.steps;
  const switchFraction = o.switchStep !== undefined ? o.switchStep / steps : (o.switchFraction ?? entry.defaults.switchFraction);
  const switchAt = o.switchStep ?? switchStepFromFraction(steps, switchFraction);
  const guidanceScale = o.guidance ?? entry.defaults.guidanceScale;
  const settings: BenchSettings = { methods, seeds: o.seeds, steps, switchAt, guidanceScale };
  checkSettings(settings);

  const lexicon = parseLexicon(JSON.parse(await readFile(resolve(REPO_ROOT, 'public/guard/lexicon.json'), 'utf8')));
  const rewriter = createFallbackRewriter({ lexicon });
  const { judge, release: releaseJudge, accuracy: judgeAccuracy } = await makeJudge(o, entry, root, lexicon);
  // Every concept must be judgeable before any image is made.
  for (const c of cases) {
    try {
      judge.check(c.concepts);
    } catch (e) {
      throw new InvalidInputError((e as { code?: string }).code ?? 'bad-case-file', `${o.cases}, line ${c.line}: ${(e as Error).message}`);
    }
  }

  const caseSha = createHash('sha256').update(caseText).digest('hex');
  const resumeKey = o.resume
    ? createHash('sha256')
        .update(JSON.stringify({ caseSha, limit: o.limit, model: entry.id, manifest: o.manifest, methods: methods.map((m) => m.id), seeds: o.seeds, steps, switchAt, guidanceScale, browser: o.browser }))
        .digest('hex')
    : undefined;
  const dir = await AtomicDir.begin(o.out, resumeKey, o.shard !== undefined);
  await dir.write('results.json', JSON.stringify({ format: RESULTS_FORMAT, complete: false, command: o.command, started: new Date().toISOString() }, null, 2) + '\n');
  o.log(`ORES benchmark: ${cases.length} cases x ${o.seeds.length} seeds x ${methods.length} methods, T=${steps}, S=${switchAt}, guidance ${guidanceScale}; writing to ${dir.partial}`);

  let engine: Engine;
  if (o.browser) {
    const { browserEngine } = await import('./oresBrowser.ts');
    engine = await browserEngine({ modelId: entry.id, manifestUrl: o.manifest === APP_MANIFEST ? undefined : '/' + relative(REPO_ROOT, manifestPath), log: o.log });
  } else engine = await nodeEngine(entry, root, rewriter);
  let last = 0;
  const genStart = performance.now();
  let generated: { images: GeneratedImage[]; rewrites: CaseRewrite[] };
  let latency: LatencyReport | undefined;
  try {
    const progress = (p: BenchProgress) => {
      if (p.done === p.total || performance.now() - last > 5000) {
        last = performance.now();
        o.log(`  ${p.done}/${p.total} images (${((performance.now() - genStart) / 1000).toFixed(0)} s)`);
      }
    };
    if (!o.resume) generated = await engine.generateCases(cases, settings, progress);
    else {
      // One case at a time, each kept as soon as it is done.
      generated = { images: [], rewrites: [] };
      const perCase = o.seeds.length * methods.length;
      const total = cases.length * perCase;
      let resumed = 0;
      let fresh = 0;
      let otherShards = 0;
      for (const [k, c] of cases.entries()) {
        const name = `work/L${c.line}.json`;
        const kept = await dir.read(name);
        let part: { images: GeneratedImage[]; rewrites: CaseRewrite[] };
        if (kept) {
          part = decodeWork(kept);
          resumed++;
        } else if (o.shard && k % o.shard.count !== o.shard.index) {
          otherShards++;
          continue;
        } else {
          if (o.stopAfter !== undefined && fresh >= o.stopAfter) {
            throw new OresError('stopped', `Stopped after ${fresh} new cases (${k} of ${cases.length} done), as --stop-after asked; the same command without it goes on from ${dir.partial}.`);
          }
          part = await engine.generateCases([c], settings, (p) => progress({ ...p, done: k * perCase + p.done, total }));
          await dir.write(name, encodeWork(part));
          fresh++;
        }
        generated.images.push(...part.images);
        generated.rewrites.push(...part.rewrites);
      }
      if (resumed > 0) o.log(`  ${resumed} of ${cases.length} cases picked up from ${dir.partial}`);
      // A shard never publishes, even when it finds every case done: two shards finishing together
      // would both try to. Publishing is the one run without --shard.
      if (o.shard) {
        const left = otherShards > 0 ? `${otherShards} cases are left to the other shards. When every shard is done, the` : 'every case is done: the';
        throw new OresError('stopped', `Shard ${o.shard.index}/${o.shard.count} is done; ${left} same command without --shard publishes ${o.out}.`);
      }
    }
    if (o.latencyMs > 0 && o.latencyRuns > 0) {
      o.log(`  pipelining: ${o.latencyRuns} TIN images each way with a ${o.latencyMs} ms rewriter`);
      latency = await engine.latency(cases, settings, o.latencyMs, o.latencyRuns);
    }
  } finally {
    await engine.close();
  }
  const generateMs = performance.now() - genStart;
  const judgeStart = performance.now();
  let records;
  try {
    records = await scoreBenchmark(cases, generated.images, judge);
  } finally {
    await releaseJudge();
  }
  const judgeMs = performance.now() - judgeStart;
  const summary = summarizeBenchmark(records);
  const kinds: Partial<Record<CaseKind, number>> = {};
  for (const c of cases) kinds[caseKind(c)] = (kinds[caseKind(c)] ?? 0) + 1;
  const fallback = rewriter.kind === 'fallback';
  const results: BenchResults = {
    format: RESULTS_FORMAT,
    complete: true,
    command: o.command,
    date: new Date().toISOString(),
    runtime: engine.runtime,
    model: { id: entry.id, name: entry.name, guidanceScale, scheduler: entry.scheduler },
    steps,
    switchAt,
    switchFraction,
    seeds: o.seeds,
    methods: methods.map((m) => ({ id: m.id, label: m.label, description: m.description, rewrite: m.rewrite })),
    rewriter: {
      label: rewriter.label,
      kind: rewriter.kind,
      note: fallback
        ? 'No LLM can run here, so the offline fallback rewriter stands in for it. It ignores instructions, so "TIN" and "TIN w/o learnable instruction" get the same u\' and the same images: that ablation is not measured by this run.'
        : undefined,
    },
    judge: judge.id,
    judgeAccuracy,
    cases: { file: relative(REPO_ROOT, casesPath), sha256: caseSha, count: cases.length, kinds },
    summary,
    latency,
    timings: { totalMs: performance.now() - started, generateMs, judgeMs, perImageMs: generateMs / Math.max(1, generated.images.length) },
    rewrites: generated.rewrites,
    records,
  };
  await dir.write('plot.png', resultsPlot(summary.all));
  await dir.write('grid.png', encodePng(resultsGrid(cases, generated.images, records, methods.map((m) => m.id), o.seeds[0]!)));
  await dir.write('results.md', resultsMarkdown(results));
  await dir.write('results.json', JSON.stringify(results, null, 1) + '\n');
  await dir.remove('work');
  await dir.remove('resume-key.txt');
  await dir.commit();
  o.log(`wrote ${o.out}/results.json, results.md, plot.png, grid.png in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return results;
}

/**
 * Re-renders results.md, plot.png and the summary of results.json from its records (after the
 * report code changed, or after the folder moved: the command's --out then names the folder).
 * Each file is replaced by a rename, so none is ever half-written. grid.png needs the images and is kept.
 */
export async function rerenderReport(dirArg: string, log: (s: string) => void = console.log): Promise<BenchResults> {
  const dir = resolve(dirArg);
  const path = resolve(dir, 'results.json');
  const old = JSON.parse(await readFile(path, 'utf8').catch(() => {
    throw new InvalidInputError('bad-results', `${path} could not be read.`);
  })) as BenchResults;
  if (old.format !== RESULTS_FORMAT || old.complete !== true || !Array.isArray(old.records)) {
    throw new InvalidInputError('bad-results', `${path} is not a complete ${RESULTS_FORMAT} file.`);
  }
  const out = relative(process.cwd(), dir) || '.';
  const results: BenchResults = { ...old, command: old.command.replace(/--out \S+/, `--out ${out}`), summary: summarizeBenchmark(old.records) };
  const write = (name: string, data: string | Uint8Array) => writeFileAtomically(resolve(dir, name), data);
  await write('plot.png', resultsPlot(results.summary.all));
  await write('results.md', resultsMarkdown(results));
  await write('results.json', JSON.stringify(results, null, 1) + '\n');
  log(`re-rendered ${out}/results.md, plot.png and the summary in results.json`);
  return results;
}
