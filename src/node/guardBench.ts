/**
 * npm run bench:guard -- --cases FILE [--json]: the concept guard (with the WordNet lexicon in
 * public/guard/lexicon.json) on a labelled corpus; see src/core/bench/guardCorpus.ts for the format.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseGuardCorpus, scoreGuard, type GuardScore } from '../core/bench/guardCorpus.ts';
import { InvalidInputError } from '../core/errors.ts';
import { createGuard, type ConceptGuard } from '../core/guard/guard.ts';
import { parseLexicon } from '../core/guard/lexicon.ts';

const REPO_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
export const LEXICON_PATH = resolve(REPO_ROOT, 'public/guard/lexicon.json');

export const GUARD_BENCH_USAGE = `Usage: npm run bench:guard -- --cases FILE [--json]
  --cases FILE  lines "concept TAB text TAB leaks(0/1) [TAB category]"; '#' comments and blank lines are skipped
  --json        print one JSON object (n, recall, falsePositiveRate, byCategory, misses, timing) instead of the report`;

export interface GuardBenchOptions {
  readonly cases: string;
  readonly json: boolean;
}

export function parseGuardBenchArgs(argv: readonly string[]): GuardBenchOptions {
  let cases: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--cases') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new InvalidInputError('bad-arguments', `--cases needs a file.\n${GUARD_BENCH_USAGE}`);
      cases = v;
    } else if (flag === '--json') json = true;
    else if (flag === '--help' || flag === '-h') throw new InvalidInputError('help', GUARD_BENCH_USAGE);
    else throw new InvalidInputError('bad-arguments', `Unknown argument "${flag}".\n${GUARD_BENCH_USAGE}`);
  }
  if (cases === undefined) throw new InvalidInputError('bad-arguments', `--cases is required.\n${GUARD_BENCH_USAGE}`);
  return { cases, json };
}

export interface GuardBenchResult extends GuardScore {
  readonly cases: string;
  readonly timing: {
    readonly lexiconBytes: number;
    readonly lexiconParseMs: number;
    /** Building a one-concept guard, the slowest concepts first. */
    readonly slowestBuilds: readonly { concept: string; ms: number; terms: number }[];
    readonly checkMsPerLine: number;
  };
}

export function runGuardBench(o: GuardBenchOptions): GuardBenchResult {
  let text: string;
  try {
    text = readFileSync(o.cases, 'utf8');
  } catch (e) {
    throw new InvalidInputError('bad-case-file', `Cannot read the cases file ${o.cases}: ${(e as Error).message}`);
  }
  const cases = parseGuardCorpus(text, o.cases);
  const t0 = performance.now();
  const lexicon = parseLexicon(readFileSync(LEXICON_PATH, 'utf8'));
  const lexiconParseMs = performance.now() - t0;

  const guards = new Map<string, ConceptGuard>();
  const builds: { concept: string; ms: number; terms: number }[] = [];
  for (const concept of new Set(cases.map((c) => c.concept))) {
    const t = performance.now();
    const g = createGuard([concept], lexicon);
    builds.push({ concept, ms: performance.now() - t, terms: g.terms().length });
    guards.set(concept, g);
  }
  const tc = performance.now();
  const score = scoreGuard(cases, (c) => guards.get(c.concept)?.check(c.text).hits.map((h) => h.matched) ?? []);
  const checkMsPerLine = (performance.now() - tc) / cases.length;
  builds.sort((a, b) => b.ms - a.ms);
  const round = (v: number): number => Math.round(v * 10) / 10;
  return {
    ...score,
    cases: o.cases,
    timing: {
      lexiconBytes: statSync(LEXICON_PATH).size,
      lexiconParseMs: round(lexiconParseMs),
      slowestBuilds: builds.slice(0, 5).map((b) => ({ ...b, ms: round(b.ms) })),
      checkMsPerLine: Math.round(checkMsPerLine * 1000) / 1000,
    },
  };
}
