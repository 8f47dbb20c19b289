/**
 * `npm run bench:ores`: the ORES benchmark from the command line. Reads an ORES case file, runs
 * every method with the same model and seeds (Node WASM, or headless Chromium on WebGPU with
 * --browser), judges the images, and writes results.json, results.md, plot.png and grid.png to
 * --out atomically (see AtomicDir).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parseCaseFile } from '../core/bench/caseFile.ts';
import { encodePng } from '../core/bench/plot.ts';
import { InvalidInputError, OresError } from '../core/errors.ts';
import { parseLexicon } from '../core/guard/lexicon.ts';
import { findModel, parseManifest } from '../core/manifest.ts';
import { switchStepFromFraction } from '../core/pipeline/schedule.ts';
import { createFallbackRewriter } from '../core/rewrite/fallbackRewriter.ts';
import { caseKind, checkSettings, scoreBenchmark, summarizeBenchmark, withOriginal, type BenchProgress, type BenchSettings, type CaseKind, type CaseRewrite, type GeneratedImage } from '../core/tin/benchmark.ts';
import { ENFORCED_METHOD_IDS, parseMethodList, type Method } from '../core/tin/methods.ts';
import { guidanceError, refuse, stepsError } from '../core/pipeline/inputChecks.ts';
import { RESULTS_FORMAT, resultsGrid, resultsMarkdown, resultsPlot, type BenchResults, type LatencyReport } from '../core/tin/report.ts';
import { AtomicDir } from './atomicDir.ts';
import { appEnforcement, makeJudge } from './benchJudges.ts';
import { APP_MANIFEST, type OresBenchOptions } from './oresArgs.ts';
import { nodeEngine, type Engine } from './oresEngine.ts';
import { saveImages } from './oresOutput.ts';
import { decodeWork, encodeWork } from './resumeWork.ts';
import { REPO_ROOT } from './repoRoot.ts';

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
  const switchStep = o.switchStep ?? switchStepFromFraction(steps, switchFraction);
  const guidanceScale = o.guidance ?? entry.defaults.guidanceScale;
  const settings: BenchSettings = { methods, seeds: o.seeds, steps, switchStep, guidanceScale };
  checkSettings(settings);
  // the manifest's step limit, before any work (the loaded scheduler may allow fewer: the engine checks again)
  refuse(stepsError(steps, entry));
  refuse(guidanceError(guidanceScale));

  const lexicon = parseLexicon(JSON.parse(await readFile(resolve(REPO_ROOT, 'public/guard/lexicon.json'), 'utf8')));
  const rewriter = createFallbackRewriter({ lexicon });
  const { judge, release: releaseJudge, accuracy: judgeAccuracy } = await makeJudge(o, entry, root, lexicon);
  // Every concept must be judgeable before any image is made.
  for (const c of cases) {
    try {
      judge.check(c.concepts);
    } catch (e) {
      throw new InvalidInputError(e instanceof OresError ? e.code : 'bad-case-file', `${o.cases}, line ${c.line}: ${(e as Error).message}`);
    }
  }

  // APP's verifying judge, checked before anything is written (it must not be the measuring one).
  if (o.browser && methods.some((m) => ENFORCED_METHOD_IDS.includes(m.base))) throw new InvalidInputError('bad-methods', 'The APP method runs in Node only (its verifying judge runs next to the engine).');
  const enforcement = methods.some((m) => ENFORCED_METHOD_IDS.includes(m.base))
    ? await appEnforcement(entry, root, lexicon, o.judge === 'world' ? (o.judgeModel ?? resolve(root, entry.baseUrl, 'judge/model.onnx')) : '')
    : undefined;

  const caseSha = createHash('sha256').update(caseText).digest('hex');
  // The key keeps S's old field name, switchAt: an unfinished run started before the rename still resumes.
  const resumeKey = o.resume
    ? createHash('sha256')
        .update(JSON.stringify({ caseSha, limit: o.limit, model: entry.id, manifest: o.manifest, methods: methods.map((m) => m.id), seeds: o.seeds, steps, switchAt: switchStep, guidanceScale, browser: o.browser }))
        .digest('hex')
    : undefined;
  const dir = await AtomicDir.begin(o.out, resumeKey, o.shard !== undefined);
  await dir.write('results.json', JSON.stringify({ format: RESULTS_FORMAT, complete: false, command: o.command, started: new Date().toISOString() }, null, 2) + '\n');
  o.log(`ORES benchmark: ${cases.length} cases x ${o.seeds.length} seeds x ${methods.length} methods, T=${steps}, S=${switchStep}, guidance ${guidanceScale}; writing to ${dir.partial}`);

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
    if (!o.resume) generated = await engine.generateCases(cases, settings, progress, enforcement?.app);
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
          part = await engine.generateCases([c], settings, (p) => progress({ ...p, done: k * perCase + p.done, total }), enforcement?.app);
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
    await enforcement?.release();
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
    switchStep,
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
  if (o.saveImages) await saveImages(o.saveImages, generated.images);
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

