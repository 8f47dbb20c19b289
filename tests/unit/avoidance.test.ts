import { describe, expect, it } from 'vitest';
import { summarize, type CaseRecord } from '../../src/core/metrics/avoidance.ts';

const rec = (method: string, caseId: string | number, seed: number, conceptPresent: boolean, similarity: number, ssim: number): CaseRecord => ({
  method, caseId, seed, conceptPresent, similarity, ssim,
});

describe('summarize', () => {
  it('aggregates per method in first-seen order', () => {
    const s = summarize([
      rec('TIN', 1, 0, false, 0.9, 0.6),
      rec('SD', 1, 0, true, 1, 1),
      rec('TIN', 2, 0, true, 0.7, 0.2),
      rec('TIN', 2, 1, false, 0.8, 0.4),
      rec('SD', 2, 0, true, 1, 1),
    ]);
    expect(s.map((m) => m.method)).toEqual(['TIN', 'SD']);
    const [tin, sd] = s;
    expect(tin!.n).toBe(3);
    expect(tin!.avoidanceRate).toBeCloseTo(2 / 3, 12);
    expect(tin!.similarityAll).toBeCloseTo(0.8, 12);
    expect(tin!.similarityAvoided).toBeCloseTo(0.85, 12);
    expect(tin!.ssimAll).toBeCloseTo(0.4, 12);
    expect(tin!.ssimAvoided).toBeCloseTo(0.5, 12);
    expect(sd).toEqual({
      method: 'SD', n: 2, avoidanceRate: 0, similarityAll: 1, similarityAvoided: null, ssimAll: 1, ssimAvoided: null,
    });
  });

  it('returns nothing for no records', () => {
    expect(summarize([])).toEqual([]);
  });

  it('rejects duplicates and non-finite scores', () => {
    expect(() => summarize([rec('A', 1, 0, true, 1, 1), rec('A', 1, 0, false, 1, 1)])).toThrow(/two records for case 1, seed 0/);
    expect(summarize([rec('A', 1, 0, true, 1, 1), rec('B', 1, 0, true, 1, 1), rec('A', '1', 0, true, 1, 1)])).toHaveLength(2);
    expect(() => summarize([rec('A', 1, 0, true, Number.NaN, 1)])).toThrow(/non-finite/);
  });
});
