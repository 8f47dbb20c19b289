/**
 * Pipelining, measured: TIN's rewrite runs while the first S steps denoise on the user's query,
 * so end to end it should cost about min(rewrite, S steps) less than rewriting first and then
 * generating. Measured with a rewriter of fixed latency (see delayedRewriter).
 */
import type { OresCase } from '../bench/caseFile.ts';
import type { Rewriter } from '../rewrite/types.ts';
import type { Generator } from './benchmark.ts';
import { METHODS, methodRequest } from './methods.ts';
import type { LatencyReport } from './report.ts';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface PipeliningOptions {
  readonly generate: Generator;
  /** A rewriter of fixed latency (delayedRewriter). */
  readonly rewriter: Rewriter;
  readonly rewriteMs: number;
  readonly instruction: string;
  readonly cases: readonly OresCase[];
  readonly steps: number;
  readonly switchStep: number;
  readonly guidanceScale?: number;
  readonly runs: number;
}

export async function measurePipelining(o: PipeliningOptions): Promise<LatencyReport> {
  const sequential: number[] = [];
  const pipelined: number[] = [];
  const stepMs: number[] = [];
  const toSwitchMs: number[] = [];
  const tin = METHODS.tin;
  const input = (c: OresCase) => ({ query: c.query, concepts: c.concepts, steps: o.steps, switchStep: o.switchStep });
  const rewrite = (c: OresCase) => o.rewriter.rewrite({ query: c.query, concepts: c.concepts, instruction: o.instruction });
  // Warm-up: first runs pay for session set-up.
  const c0 = o.cases[0]!;
  await o.generate(methodRequest(tin, { ...input(c0), rewritten: c0.query }, 0, o.guidanceScale));
  for (let i = 0; i < o.runs; i++) {
    const c = o.cases[i % o.cases.length]!;
    const runSequential = async () => {
      const t0 = performance.now();
      const r = await rewrite(c);
      const g = await o.generate(methodRequest(tin, { ...input(c), rewritten: r.rewritten }, i, o.guidanceScale));
      sequential.push(performance.now() - t0);
      stepMs.push(...(g.timings?.stepMs ?? []));
      if (g.timings) toSwitchMs.push((g.timings.encodeMs ?? 0) + g.timings.stepMs.slice(0, o.switchStep).reduce((a, b) => a + b, 0));
    };
    const runPipelined = async () => {
      const t0 = performance.now();
      const pending = rewrite(c).then((r) => r.rewritten);
      pending.catch(() => undefined);
      await o.generate(methodRequest(tin, { ...input(c), rewritten: () => pending }, i, o.guidanceScale));
      pipelined.push(performance.now() - t0);
    };
    // Alternate the order so warm caches favour neither.
    if (i % 2 === 0) {
      await runSequential();
      await runPipelined();
    } else {
      await runPipelined();
      await runSequential();
    }
  }
  return {
    rewriteMs: o.rewriteMs,
    steps: o.steps,
    switchStep: o.switchStep,
    runs: o.runs,
    sequentialMs: median(sequential),
    pipelinedMs: median(pipelined),
    stepMs: stepMs.length ? median(stepMs) : NaN,
    toSwitchMs: toSwitchMs.length ? median(toSwitchMs) : NaN,
    sequentialRunsMs: sequential.map((x) => Math.round(x * 10) / 10),
    pipelinedRunsMs: pipelined.map((x) => Math.round(x * 10) / 10),
  };
}
