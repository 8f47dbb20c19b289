import { describe, expect, it } from 'vitest';
import { markdownTable } from '../../src/core/bench/report.ts';
import type { MethodSummary } from '../../src/core/metrics/avoidance.ts';

const rows: MethodSummary[] = [
  { method: 'SD', n: 100, avoidanceRate: 0.1, similarityAll: 1, similarityAvoided: null, ssimAll: 1, ssimAvoided: null },
  { method: 'TIN | ours', n: 100, avoidanceRate: 0.8567, similarityAll: 0.91234, similarityAvoided: 0.9, ssimAll: 0.61, ssimAvoided: 0.5996 },
];

describe('markdownTable', () => {
  it('prints the ORES table layout with 1 decimal for % and 3 for similarity', () => {
    expect(markdownTable(rows)).toBe(
      [
        '| Method | Avoidance (%) ↑ | Visual similarity (all) ↑ | Visual similarity (avoided) ↑ | SSIM (all) | SSIM (avoided) | n |',
        '|:---|---:|---:|---:|---:|---:|---:|',
        '| SD | 10.0 | 1.000 | – | 1.000 | – | 100 |',
        '| TIN \\| ours | 85.7 | 0.912 | 0.900 | 0.610 | 0.600 | 100 |',
        '',
      ].join('\n'),
    );
  });

  it('bolds the best value per column when asked, ties included', () => {
    const t = markdownTable([...rows, { ...rows[1]!, method: 'X', similarityAll: 1.0002 }], { highlightBest: true, methodHeader: 'Approach' });
    const lines = t.trim().split('\n');
    expect(lines[0]).toMatch(/^\| Approach \|/);
    expect(lines[2]).toBe('| SD | 10.0 | **1.000** | – | **1.000** | – | 100 |');
    expect(lines[3]).toBe('| TIN \\| ours | **85.7** | 0.912 | **0.900** | 0.610 | **0.600** | 100 |');
    expect(lines[4]).toBe('| X | **85.7** | **1.000** | **0.900** | 0.610 | **0.600** | 100 |');
  });

  it('prints only the header for an empty summary', () => {
    expect(markdownTable([]).trim().split('\n')).toHaveLength(2);
  });
});
