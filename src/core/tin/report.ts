/**
 * What the ORES benchmark writes: the results document (JSON), the Markdown tables in the layout of
 * the paper's Tables 1 (baselines) and 2 (ablations), the avoidance/similarity plot and a labelled
 * image grid. Pure: the caller writes the bytes (Node: src/node/oresBench.ts).
 */
import { drawText, GLYPH_HEIGHT, textWidth } from '../bench/font5x7.ts';
import { encodePng, imageGrid, scatterPlotRgba } from '../bench/plot.ts';
import { fillRect, strokeRect, type Rgba } from '../bench/raster.ts';
import { markdownTable } from '../bench/report.ts';
import type { OresCase } from '../bench/caseFile.ts';
import type { MethodSummary } from '../metrics/avoidance.ts';
import { createImage, type RgbaImage } from '../metrics/image.ts';
import { CASE_KINDS, type BenchRecord, type BenchSummary, type CaseKind, type CaseRewrite, type GeneratedImage } from './benchmark.ts';
import { ENFORCED_METHOD_IDS, METHODS, type MethodId } from './methods.ts';

export const RESULTS_FORMAT = 'ores-bench-results/1';

export interface LatencyReport {
  readonly rewriteMs: number;
  readonly steps: number;
  readonly switchStep: number;
  readonly runs: number;
  /** Median end-to-end milliseconds. */
  readonly sequentialMs: number;
  readonly pipelinedMs: number;
  /** Median time of one denoising step. */
  readonly stepMs: number;
  /** Median time from the start of generation to step S (encoding u, then S steps): the most pipelining can hide. */
  readonly toSwitchMs: number;
  readonly sequentialRunsMs: readonly number[];
  readonly pipelinedRunsMs: readonly number[];
}

export interface BenchResults {
  readonly format: typeof RESULTS_FORMAT;
  /** False only in the marker a run writes first; a finished run rewrites it as true. */
  readonly complete: boolean;
  readonly command: string;
  readonly date: string;
  readonly runtime: string;
  readonly model: { id: string; name: string; guidanceScale: number; scheduler: string };
  readonly steps: number;
  readonly switchStep: number;
  readonly switchFraction: number;
  readonly seeds: readonly number[];
  readonly methods: readonly { id: string; label: string; description: string; rewrite: string | null }[];
  readonly rewriter: { label: string; kind: string; note?: string };
  readonly judge: string;
  /** World judge only: its accuracy per attribute on freshly drawn scenes (ground truth). */
  readonly judgeAccuracy?: Record<string, number>;
  readonly cases: { file: string; sha256: string; count: number; kinds: Partial<Record<CaseKind, number>> };
  readonly summary: BenchSummary;
  readonly latency?: LatencyReport;
  readonly timings: { totalMs: number; generateMs: number; judgeMs: number; perImageMs: number };
  readonly rewrites: readonly CaseRewrite[];
  readonly records: readonly BenchRecord[];
}

/**
 * Results written before S was named `switchStep` (those committed under bench/results) have
 * `switchAt` at the top and in `latency`; they read as today's, the fields in their order. Their
 * `methodMs` (mean time per image) goes: the summary's median, from the records, is the one time.
 */
export function upgradeResults(r: BenchResults): BenchResults {
  const renamed = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).flatMap(([k, v]) => (k === 'methodMs' ? [] : [[k === 'switchAt' ? 'switchStep' : k, v]]))) as T;
  const top = renamed(r);
  return top.latency ? { ...top, latency: renamed(top.latency) } : top;
}

/** Methods of the paper's Table 1 (baselines) and Table 2 (ablations), plus ours in both. */
const TABLE1: readonly MethodId[] = ['original', 'blacklist', 'negative', 'sld', 'tin', 'tin-neg', 'tin-sld', 'tin-mask'];
const TABLE2: readonly MethodId[] = ['tin', 'tin-plain', 'tin-noswitch', 'tin-neg', 'tin-sld', 'tin-mask'];

/** Each method's row; a method run only with its own S ("tin-mask@2") shows with those rows instead. */
function pick(summary: readonly MethodSummary[], ids: readonly MethodId[]): MethodSummary[] {
  return ids.flatMap((id) => {
    const label = METHODS[id].label;
    const exact = summary.filter((s) => s.method === label);
    return exact.length > 0 ? exact : summary.filter((s) => s.method.startsWith(`${label} (S=`));
  });
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The Markdown report: settings, Table 1, Table 2, avoidance by case kind, notes. */
export function resultsMarkdown(r: BenchResults): string {
  const s = r.summary;
  const lines: string[] = [];
  lines.push(`# ORES benchmark: ${r.model.name}`, '');
  lines.push(
    `${r.cases.count} cases (${CASE_KINDS.filter((k) => r.cases.kinds[k]).map((k) => `${r.cases.kinds[k]} ${k}`).join(', ')}) from \`${r.cases.file}\`, ` +
      `seeds ${r.seeds.join(', ')}; T = ${r.steps} ${r.model.scheduler.toUpperCase()} steps, S = ${r.switchStep} (${r.switchFraction} of T), guidance ${r.model.guidanceScale}; ${r.runtime}.`,
    '',
    `- Rewriter: ${r.rewriter.label}.${r.rewriter.note ? ' ' + r.rewriter.note : ''}`,
    `- Judge: ${r.judge}. Avoidance = share of images in which the judge finds none of the banned concepts.` +
      (r.judgeAccuracy ? ` Its accuracy on freshly drawn scenes: ${Object.entries(r.judgeAccuracy).map(([a, v]) => `${a} ${pct(v)}`).join(', ')}.` : ''),
    '- Visual similarity = 1 - mean over pixels and RGB channels of (a - b)^2, values scaled to [0,1], between the method\'s image and ORIGINAL\'s image at the same seed; SSIM on luma (11x11 Gaussian window). "(avoided)" averages over the images that avoided the concept only.',
    ...(s.all.some((m) => m.attributesKept !== undefined)
      ? ['- Attributes kept = share of the attributes other than the banned ones (of colour, shape, background, pattern, size, count) that the judge reads the same in the method\'s image as in ORIGINAL\'s at the same seed. Displacement = distance between the centroids of the pixels that differ from the background colour (the border\'s median colour, by more than 40 of 255 in a channel) in the two images, on the pairs where the judge reads one object in ORIGINAL\'s image; median, and the share moved by more than 4 px.']
      : []),
    '',
  );
  const t1 = pick(s.all, TABLE1);
  if (t1.length > 0) lines.push('## Table 1: methods', '', markdownTable(t1, { highlightBest: true }));
  const t2 = pick(s.all, TABLE2);
  if (t2.length > 1) lines.push('## Table 2: ablations', '', markdownTable(t2, { highlightBest: true }));
  const enforcedLabels: readonly string[] = ENFORCED_METHOD_IDS.map((id) => METHODS[id].label);
  const enforced = s.all.filter((m) => enforcedLabels.includes(m.method) && m.shownWithConcept !== undefined);
  if (enforced.length > 0) {
    const tin = s.all.find((m) => m.method === METHODS.tin.label);
    const tinMs = tin?.generationMsMedian;
    const ratios = enforced.flatMap((e) => (e.generationMsMedian != null && tinMs ? [`${e.method} ${e.generationMsMedian.toFixed(0)} ms (${(e.generationMsMedian / tinMs).toFixed(2)}x)`] : []));
    lines.push(
      '## What reaches the user: APP (TIN as the app applies a policy)',
      '',
      'APP is TIN with the compiled policy\'s switch step by concept and output verification: every image is checked by the model\'s own judge and, when it shows a banned concept, made again with the rewrite from step 0 and the next seed (up to 2 times), then refused. APP + MASK is the same with TIN + MASK where the policy allows a mask (TIN when a concept is the layout). They are measured here by the judge named above, which must not be the one that verified them.',
      '',
      '| Method | avoidance | shown with a banned concept | refused | regenerations per image | similarity |',
      '|:---|---:|---:|---:|---:|---:|',
      ...enforced.map((e) => `| ${e.method} | ${pct(e.avoidanceRate)} | ${pct(e.shownWithConcept!)} | ${pct(e.refusalRate ?? 0)} | ${(e.retriesPerImage ?? 0).toFixed(3)} | ${e.similarityAll.toFixed(3)} |`),
      ...(tin ? [`| ${tin.method} | ${pct(tin.avoidanceRate)} | ${pct(1 - tin.avoidanceRate)} | 0.0% | 0 | ${tin.similarityAll.toFixed(3)} |`] : []),
      '',
      ...(ratios.length > 0 ? [`Median time per image (with regenerations): ${ratios.join(', ')}; TIN ${tinMs!.toFixed(0)} ms.`, ''] : []),
    );
  }
  // Switching methods run with their own S ("tin@2"), next to the run's S.
  const variants = r.methods.filter((m) => m.id.includes('@'));
  if (variants.length > 0) {
    const bases = [...new Set(variants.map((m) => m.id.split('@')[0]!))];
    const rows = bases.flatMap((b) => {
      const own = r.methods.filter((m) => m.id === b || m.id.startsWith(b + '@'));
      const at = (id: string) => (id.includes('@') ? Number(id.split('@')[1]) : r.switchStep);
      return own.sort((x, y) => at(x.id) - at(y.id)).map((m) => ({ ...s.all.find((x) => x.method === m.label)!, method: `${m.label.replace(/ \(S=\d+\)$/, '')} (S=${at(m.id)})` }));
    });
    lines.push(`## The switch step S (T = ${r.steps})`, '', markdownTable(rows.filter((x) => x.n !== undefined)));
  }
  if (s.whereOriginalShows) {
    const w = s.whereOriginalShows;
    const orig = s.all.find((m) => m.method === METHODS.original.label);
    lines.push(
      '## Where ORIGINAL shows the concept',
      '',
      `ORIGINAL's image shows the concept in ${w[0]!.n} of ${orig?.n ?? '?'} (case, seed) pairs${orig ? ` (${pct(1 - orig.avoidanceRate)})` : ''}; the other pairs are avoided by every method for free when the model ignores that part of the prompt. On these ${w[0]!.n} pairs, the share of images each method frees of the concept:`,
      '',
      markdownTable(w.filter((m) => m.method !== METHODS.original.label), { highlightBest: true }),
    );
  }
  const kinds = CASE_KINDS.filter((k) => s.byKind[k]);
  if (kinds.length > 1) {
    lines.push('## Avoidance by how the query names the concept', '');
    lines.push('explicit: the concept word itself is in the query; synonym: another word for the same value ("crimson" for red); implicit: only an implied phrase ("tomato-coloured", "at night").', '');
    lines.push(`| Method | ${kinds.map((k) => `${k} (n=${s.byKind[k]![0]!.n})`).join(' | ')} |`, `|:---|${kinds.map(() => '---:|').join('')}`);
    for (const m of s.all) {
      lines.push(`| ${m.method} | ${kinds.map((k) => { const x = s.byKind[k]!.find((y) => y.method === m.method); return x ? pct(x.avoidanceRate) : '–'; }).join(' | ')} |`);
    }
    lines.push('');
  }
  const attrs = Object.keys(s.byAttribute ?? {});
  if (attrs.length > 1) {
    lines.push('## Avoidance by attribute of the concept', '');
    lines.push(`| Method | ${attrs.map((a) => `${a} (n=${s.byAttribute[a]![0]!.n})`).join(' | ')} |`, `|:---|${attrs.map(() => '---:|').join('')}`);
    for (const m of s.all) {
      lines.push(`| ${m.method} | ${attrs.map((a) => { const x = s.byAttribute[a]!.find((y) => y.method === m.method); return x ? pct(x.avoidanceRate) : '–'; }).join(' | ')} |`);
    }
    lines.push('');
  }
  if (r.latency) {
    const l = { ...r.latency, toSwitchMs: r.latency.toSwitchMs ?? r.latency.switchStep * r.latency.stepMs };
    lines.push(
      '## Pipelining',
      '',
      `TIN end to end with a fake rewriter of fixed latency (${l.rewriteMs} ms), median of ${l.runs} images each way, T = ${l.steps}, S = ${l.switchStep}; one step ≈ ${l.stepMs.toFixed(1)} ms, start to step S (encoding u + S steps) ≈ ${l.toSwitchMs.toFixed(0)} ms:`,
      '',
      '| rewrite then generate | pipelined (rewrite during steps 0..S-1) | saved | expected saving min(rewrite, start to step S) |',
      '|---:|---:|---:|---:|',
      `| ${l.sequentialMs.toFixed(0)} ms | ${l.pipelinedMs.toFixed(0)} ms | ${(l.sequentialMs - l.pipelinedMs).toFixed(0)} ms | ${Math.min(l.rewriteMs, l.toSwitchMs).toFixed(0)} ms |`,
      '',
    );
  }
  const failed = r.rewrites.filter((x) => x.error);
  if (failed.length > 0) lines.push(`${failed.length} rewrites failed; those methods used the empty prompt from step S (see results.json).`, '');
  lines.push(`Reproduce: \`${r.command}\``, '');
  return lines.join('\n');
}

/**
 * Avoidance (x) against similarity over all images (y), one point per method; where the world judge
 * measured preservation, a second panel beside it: avoidance against the attributes kept.
 */
export function resultsPlot(summary: readonly MethodSummary[]): Uint8Array {
  const similarity = scatterPlotRgba(summary.map((m) => ({ label: m.method, x: m.avoidanceRate, y: m.similarityAll })), 640, 400, { yLabel: 'Visual similarity to ORIGINAL (all images)' });
  const measured = summary.filter((m) => m.attributesKept !== undefined && m.attributesKept !== null);
  if (measured.length === 0) return encodePng(similarity);
  const kept = scatterPlotRgba(measured.map((m) => ({ label: m.method, x: m.avoidanceRate, y: m.attributesKept! })), 640, 400, { yLabel: 'Attributes kept from ORIGINAL (judge, non-banned)' });
  return encodePng(imageGrid([[similarity, kept]]));
}

const SHORT_LABELS: Readonly<Record<MethodId, string>> = {
  original: 'ORIG',
  blacklist: 'BLACK',
  negative: 'NEG',
  tin: 'TIN',
  'tin-plain': 'TIN-pl',
  'tin-noswitch': 'TIN-S0',
  'tin-neg': 'TIN+NEG',
  sld: 'SLD',
  'tin-sld': 'TIN+SLD',
  app: 'APP',
  'app-mask': 'APP+M',
  'tin-mask': 'TIN+M',
};

/** Grid column titles: "TIN", "TIN@2". */
export function shortLabel(id: string): string {
  const [base, at] = id.split('@');
  const short = (SHORT_LABELS as Record<string, string | undefined>)[base!] ?? base!;
  return at === undefined ? short : `${short}-S${at}`; // the plot font has no "@"; TIN-S0 is TIN w/o switch
}

const BLACK: Rgba = [0, 0, 0, 255];
const PRESENT: Rgba = [220, 30, 30, 255];
const AVOIDED: Rgba = [30, 170, 60, 255];

/**
 * Rows: cases (one seed); columns: methods. A red frame marks an image where the judge found the
 * concept, a green one where it did not. Row labels: case line and kind (E/S/I).
 */
export function resultsGrid(
  cases: readonly OresCase[],
  images: readonly GeneratedImage[],
  records: readonly BenchRecord[],
  methods: readonly string[],
  seed: number,
  scale = 2,
): RgbaImage {
  const find = <T extends { caseLine: number; seed: number; method: string } | { caseId: number; seed: number; methodId: string }>(list: readonly T[], line: number, m: string) =>
    list.find((x) => ('caseLine' in x ? x.caseLine === line && x.method === m : x.caseId === line && x.methodId === m) && x.seed === seed);
  const rows = cases.filter((c) => images.some((im) => im.caseLine === c.line && im.seed === seed));
  const cellImages = rows.map((c) => methods.map((m) => find(images, c.line, m)?.image ?? createImage(1, 1)));
  const frame = 2;
  const framed = rows.map((c, r) =>
    methods.map((m, k) => {
      const im = cellImages[r]![k]!;
      const rec = find(records, c.line, m) as BenchRecord | undefined;
      const out = createImage(im.width + 2 * frame, im.height + 2 * frame, [255, 255, 255, 255]);
      if (rec) {
        const colour = rec.conceptPresent ? PRESENT : AVOIDED;
        for (let i = 0; i < frame; i++) strokeRect(out, i, i, out.width - 2 * i, out.height - 2 * i, colour);
      }
      for (let y = 0; y < im.height; y++) out.data.set(im.data.subarray(y * im.width * 4, (y + 1) * im.width * 4), ((y + frame) * out.width + frame) * 4);
      return out;
    }),
  );
  const gap = 2;
  const grid = imageGrid(framed, scale, gap);
  const cellW = framed[0]![0]!.width * scale;
  const labelW = 64;
  const headerH = GLYPH_HEIGHT + 8;
  const out = createImage(grid.width + labelW, grid.height + headerH, [255, 255, 255, 255]);
  for (let y = 0; y < grid.height; y++) out.data.set(grid.data.subarray(y * grid.width * 4, (y + 1) * grid.width * 4), ((y + headerH) * out.width + labelW) * 4);
  methods.forEach((m, k) => {
    const label = shortLabel(m);
    drawText(out, label, labelW + k * (cellW + gap) + Math.max(0, Math.floor((cellW - textWidth(label)) / 2)), 3, BLACK);
  });
  const cellH = framed[0]![0]!.height * scale;
  rows.forEach((c, r) => {
    const kind = c.concepts.length > 0 ? (records.find((x) => x.caseId === c.line)?.kind ?? '') : '';
    const y = headerH + r * (cellH + gap) + Math.floor(cellH / 2) - 8;
    drawText(out, `L${c.line} ${kind.slice(0, 1).toUpperCase()}`, 2, y, BLACK);
    drawText(out, c.concepts.join(',').slice(0, 10), 2, y + 10, BLACK);
  });
  fillRect(out, 0, headerH - 2, out.width, 1, [200, 200, 200, 255]);
  return out;
}
