/** What `bench:ores` writes besides its run folder: every image as a PNG, and a report re-rendered from results.json. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { encodePng } from '../core/bench/plot.ts';
import { InvalidInputError } from '../core/errors.ts';
import type { GeneratedImage } from '../core/tin/benchmark.ts';
import { summarizeBenchmark } from '../core/tin/benchmark.ts';
import { RESULTS_FORMAT, resultsMarkdown, resultsPlot, upgradeResults, type BenchResults } from '../core/tin/report.ts';
import { writeFileAtomically } from './atomicDir.ts';

/** Every image as a PNG named by case line, seed and method. */
export async function saveImages(dir: string, images: readonly GeneratedImage[]): Promise<void> {
  await mkdir(resolve(dir), { recursive: true });
  for (const im of images) await writeFile(resolve(dir, `L${im.caseLine}-s${im.seed}-${im.method.replace(/[^\w@.-]/g, '_')}.png`), encodePng(im.image));
}

/**
 * Re-renders results.md, plot.png and the summary of results.json from its records (after the
 * report code changed, or after the folder moved: the command's --out then names the folder).
 * Each file is replaced by a rename, so none is ever half-written. grid.png needs the images and is kept.
 */
export async function rerenderReport(dirArg: string, log: (s: string) => void = console.log): Promise<BenchResults> {
  const dir = resolve(dirArg);
  const path = resolve(dir, 'results.json');
  const read = JSON.parse(await readFile(path, 'utf8').catch(() => {
    throw new InvalidInputError('bad-results', `${path} could not be read.`);
  })) as BenchResults;
  if (read.format !== RESULTS_FORMAT || read.complete !== true || !Array.isArray(read.records)) {
    throw new InvalidInputError('bad-results', `${path} is not a complete ${RESULTS_FORMAT} file.`);
  }
  const old = upgradeResults(read);
  const out = relative(process.cwd(), dir) || '.';
  const results: BenchResults = { ...old, command: old.command.replace(/--out \S+/, `--out ${out}`), summary: summarizeBenchmark(old.records) };
  const write = (name: string, data: string | Uint8Array) => writeFileAtomically(resolve(dir, name), data);
  await write('plot.png', resultsPlot(results.summary.all));
  await write('results.md', resultsMarkdown(results));
  await write('results.json', JSON.stringify(results, null, 1) + '\n');
  log(`re-rendered ${out}/results.md, plot.png and the summary in results.json`);
  return results;
}
