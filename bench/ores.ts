/**
 * npm run bench:ores -- --cases FILE --out DIR [...]: see src/node/oresBench.ts (--help).
 * npm run bench:ores -- --report-from DIR: re-render DIR's results.md and plot.png from its results.json.
 */
import { OresError } from '../src/core/errors.ts';
import { parseOresArgs } from '../src/node/oresArgs.ts';
import { runOresBench } from '../src/node/oresBench.ts';
import { rerenderReport } from '../src/node/oresOutput.ts';

try {
  const argv = process.argv.slice(2);
  const results = argv[0] === '--report-from' && argv[1] ? await rerenderReport(argv[1]) : await runOresBench(parseOresArgs(argv));
  for (const s of results.summary.all) {
    console.log(`${s.method.padEnd(30)} avoidance ${(s.avoidanceRate * 100).toFixed(1).padStart(5)}%  similarity ${s.similarityAll.toFixed(3)} (avoided ${s.similarityAvoided?.toFixed(3) ?? '–'})  SSIM ${s.ssimAll.toFixed(3)}`);
  }
} catch (e) {
  if (e instanceof OresError) {
    console.error(e.code === 'help' ? e.message : `error (${e.code}): ${e.message}`);
    process.exit(e.code === 'help' ? 0 : 2);
  }
  throw e;
}
