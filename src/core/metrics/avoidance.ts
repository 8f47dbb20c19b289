import { InvalidInputError } from '../errors.ts';

/** One generated image of the benchmark: did the concept show up, and how close is it to the baseline. */
export interface CaseRecord {
  method: string;
  caseId: string | number;
  seed: number;
  conceptPresent: boolean;
  similarity: number;
  ssim: number;
  /** Verified methods only: false when the image was refused (never shown), and the regenerations it took. */
  shown?: boolean;
  retries?: number;
}

/** Per-method numbers of the ORES tables; `*Avoided` are null when no image avoided the concept. */
export interface MethodSummary {
  method: string;
  n: number;
  /** Share of images without the concept, in [0,1]. */
  avoidanceRate: number;
  similarityAll: number;
  similarityAvoided: number | null;
  ssimAll: number;
  ssimAvoided: number | null;
  /** Verified methods only: share of generations shown to the user with a banned concept (by the measuring judge). */
  shownWithConcept?: number;
  /** Verified methods only: share of generations refused. */
  refusalRate?: number;
  /** Verified methods only: mean regenerations per generation. */
  retriesPerImage?: number;
}

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((s, v) => s + v, 0) / xs.length);

/**
 * Aggregates records per method, in order of first appearance. Duplicated (method, case, seed)
 * triples and non-finite scores are rejected because they would silently skew the means.
 */
export function summarize(records: readonly CaseRecord[]): MethodSummary[] {
  const groups = new Map<string, CaseRecord[]>();
  const seen = new Set<string>();
  for (const r of records) {
    if (!Number.isFinite(r.similarity) || !Number.isFinite(r.ssim)) {
      throw new InvalidInputError(
        'bad-record',
        `Record of method "${r.method}", case ${r.caseId}, seed ${r.seed} has a non-finite score`,
      );
    }
    const key = JSON.stringify([r.method, r.caseId, r.seed]);
    if (seen.has(key)) {
      throw new InvalidInputError(
        'duplicate-record',
        `Method "${r.method}" has two records for case ${r.caseId}, seed ${r.seed}`,
      );
    }
    seen.add(key);
    const g = groups.get(r.method);
    if (g) g.push(r);
    else groups.set(r.method, [r]);
  }
  return [...groups].map(([method, rs]) => {
    const avoided = rs.filter((r) => !r.conceptPresent);
    return {
      method,
      n: rs.length,
      avoidanceRate: avoided.length / rs.length,
      similarityAll: mean(rs.map((r) => r.similarity))!,
      similarityAvoided: mean(avoided.map((r) => r.similarity)),
      ssimAll: mean(rs.map((r) => r.ssim))!,
      ssimAvoided: mean(avoided.map((r) => r.ssim)),
      ...(rs.some((r) => r.retries !== undefined)
        ? {
            shownWithConcept: rs.filter((r) => r.shown !== false && r.conceptPresent).length / rs.length,
            refusalRate: rs.filter((r) => r.shown === false).length / rs.length,
            retriesPerImage: mean(rs.map((r) => r.retries ?? 0))!,
          }
        : {}),
    };
  });
}
