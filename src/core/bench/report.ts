import type { MethodSummary } from '../metrics/avoidance.ts';

export interface MarkdownTableOptions {
  /** Bold the best value of each column, as the ORES paper's tables do (higher is better). */
  highlightBest?: boolean;
  /** Header of the first column. */
  methodHeader?: string;
}

type Column = { header: string; value: (s: MethodSummary) => number | null; digits: number; scale?: number; lowerIsBetter?: boolean };

// Same columns and order as Tables 1/2 of the ORES paper, plus SSIM and the sample count.
const COLUMNS: Column[] = [
  { header: 'Avoidance (%) ↑', value: (s) => s.avoidanceRate, digits: 1, scale: 100 },
  { header: 'Visual similarity (all) ↑', value: (s) => s.similarityAll, digits: 3 },
  { header: 'Visual similarity (avoided) ↑', value: (s) => s.similarityAvoided, digits: 3 },
  { header: 'SSIM (all)', value: (s) => s.ssimAll, digits: 3 },
  { header: 'SSIM (avoided)', value: (s) => s.ssimAvoided, digits: 3 },
];

/** Preservation (world judge), shown when the summaries carry it. */
const PRESERVATION: Column[] = [
  { header: 'Attributes kept (%) ↑', value: (s) => s.attributesKept ?? null, digits: 1, scale: 100 },
  { header: 'Displacement (px, median) ↓', value: (s) => s.displacementPx ?? null, digits: 2, lowerIsBetter: true },
  { header: 'Moved > 4 px (%) ↓', value: (s) => s.displacedOver4Px ?? null, digits: 1, scale: 100, lowerIsBetter: true },
];

/** Generation time, shown when the summaries carry it (the benchmark's; APP's with its regenerations). */
const TIME: Column = { header: 'ms / image (median)', value: (s) => s.generationMsMedian ?? null, digits: 0, lowerIsBetter: true };

/** Keeps method names from breaking the table. */
const escapeCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A Markdown table, one row per method; missing values (nothing avoided) print as '–'. */
export function markdownTable(summary: readonly MethodSummary[], opts: MarkdownTableOptions = {}): string {
  const { highlightBest = false, methodHeader = 'Method' } = opts;
  const columns = [
    ...COLUMNS,
    ...(summary.some((s) => s.attributesKept !== undefined) ? PRESERVATION : []),
    ...(summary.some((s) => s.generationMsMedian !== undefined) ? [TIME] : []),
  ];
  const formatted = columns.map((col) => {
    const values = summary.map((s) => {
      const v = col.value(s);
      return v === null ? null : (v * (col.scale ?? 1)).toFixed(col.digits);
    });
    // Compare the printed numbers so ties at the shown precision are all bold.
    const present = values.filter((v): v is string => v !== null).map(Number);
    const best = present.length > 1 ? (col.lowerIsBetter ? Math.min(...present) : Math.max(...present)) : null;
    return values.map((v) => (v === null ? '–' : highlightBest && Number(v) === best ? `**${v}**` : v));
  });
  const header = `| ${methodHeader} | ${columns.map((c) => c.header).join(' | ')} | n |`;
  const rule = `|:---|${columns.map(() => '---:|').join('')}---:|`;
  const rows = summary.map(
    (s, i) => `| ${escapeCell(s.method)} | ${formatted.map((col) => col[i]).join(' | ')} | ${s.n} |`,
  );
  return [header, rule, ...rows].join('\n') + '\n';
}
