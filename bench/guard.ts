/** npm run bench:guard -- --cases FILE [--json]: see src/node/guardBench.ts. */
import { formatGuardScore } from '../src/core/bench/guardCorpus.ts';
import { OresError } from '../src/core/errors.ts';
import { parseGuardBenchArgs, runGuardBench } from '../src/node/guardBench.ts';

try {
  const o = parseGuardBenchArgs(process.argv.slice(2));
  const r = runGuardBench(o);
  if (o.json) console.log(JSON.stringify(r, null, 2));
  else {
    console.log(formatGuardScore(r, `Guard on ${o.cases}`));
    const t = r.timing;
    console.log(`Lexicon: ${(t.lexiconBytes / 2 ** 20).toFixed(2)} MiB, parsed in ${t.lexiconParseMs} ms. Check: ${t.checkMsPerLine} ms per line.`);
    console.log(`Slowest one-concept guard builds: ${t.slowestBuilds.map((b) => `${b.concept} ${b.ms} ms (${b.terms} terms)`).join(', ')}`);
  }
} catch (e) {
  if (e instanceof OresError) {
    console.error(e.code === 'help' ? e.message : `error (${e.code}): ${e.message}`);
    process.exit(e.code === 'help' ? 0 : 2);
  }
  throw e;
}
