import { encode } from 'fast-png';
import { InvalidInputError } from '../errors.ts';
import { assertRgba, createImage, type RgbaImage } from '../metrics/image.ts';
import { drawText, GLYPH_HEIGHT, textWidth } from './font5x7.ts';
import { fillRect, strokeRect, type Rgba } from './raster.ts';

/** One method in the avoidance / similarity plane (x = avoidance rate in [0,1], y = similarity). */
export interface ScatterPoint {
  label: string;
  x: number;
  y: number;
}

export interface ScatterOptions {
  /** Default [0, 1], printed as 0..100 %. */
  xRange?: readonly [number, number];
  /** Default: the data range widened to multiples of 0.1 inside [0, 1]. */
  yRange?: readonly [number, number];
  xLabel?: string;
  yLabel?: string;
}

/** Where the plot area lies and how data maps to pixels; exported so tests and callers agree. */
export interface ScatterLayout {
  left: number;
  top: number;
  /** Plot area size in pixels; the area is [left, left+plotWidth) x [top, top+plotHeight). */
  plotWidth: number;
  plotHeight: number;
  xRange: readonly [number, number];
  yRange: readonly [number, number];
  /** Legend box top-left corner (right of the plot area, so it never hides a marker). */
  legendX: number;
  legendY: number;
}

/** Tableau-10: distinct for the handful of methods a table has; cycles after ten. */
export const PALETTE: readonly Rgba[] = [
  [31, 119, 180, 255],
  [255, 127, 14, 255],
  [44, 160, 44, 255],
  [214, 39, 40, 255],
  [148, 103, 189, 255],
  [140, 86, 75, 255],
  [227, 119, 194, 255],
  [127, 127, 127, 255],
  [188, 189, 34, 255],
  [23, 190, 207, 255],
];

export const MARKER_SIZE = 7;
const WHITE: Rgba = [255, 255, 255, 255];
const BLACK: Rgba = [0, 0, 0, 255];
const GRID: Rgba = [225, 225, 225, 255];
const TICKS = 10;
const LEGEND_ROW = 12;

function autoYRange(points: readonly ScatterPoint[]): [number, number] {
  if (points.length === 0) return [0, 1];
  const ys = points.map((p) => p.y);
  let lo = Math.max(0, Math.floor(Math.min(...ys) * 10 + 1e-9) / 10);
  let hi = Math.min(1, Math.ceil(Math.max(...ys) * 10 - 1e-9) / 10);
  if (hi - lo < 0.1) [lo, hi] = hi >= 1 ? [hi - 0.1, hi] : [lo, lo + 0.1];
  return [lo, hi];
}

export function scatterLayout(
  points: readonly ScatterPoint[],
  width: number,
  height: number,
  opts: ScatterOptions = {},
): ScatterLayout {
  const bad = points.find((p) => !Number.isFinite(p.x) || !Number.isFinite(p.y));
  if (bad) throw new InvalidInputError('bad-plot', `Point "${bad.label}" has a non-finite coordinate (${bad.x}, ${bad.y})`);
  const xRange = opts.xRange ?? [0, 1];
  const yRange = opts.yRange ?? autoYRange(points);
  for (const [name, r] of [['xRange', xRange], ['yRange', yRange]] as const) {
    if (!(Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[1] > r[0])) {
      throw new InvalidInputError('bad-plot', `${name} must be two finite numbers, low < high; got [${r.join(', ')}]`);
    }
  }
  const legendWidth = Math.max(0, ...points.map((p) => textWidth(p.label))) + MARKER_SIZE + 14;
  const left = 40;
  const top = 20;
  const plotWidth = width - left - legendWidth - 16;
  const plotHeight = height - top - 34;
  if (plotWidth < 50 || plotHeight < 50) {
    throw new InvalidInputError(
      'bad-plot',
      `A ${width}x${height} plot leaves no room for the data next to the legend; make it larger or labels shorter`,
    );
  }
  return { left, top, plotWidth, plotHeight, xRange, yRange, legendX: left + plotWidth + 10, legendY: top };
}

/** Pixel centre of a data point; values outside the ranges are pinned to the plot edge. */
export function dataToPixel(layout: ScatterLayout, x: number, y: number): [number, number] {
  const clamp = (t: number) => Math.min(1, Math.max(0, t));
  const tx = clamp((x - layout.xRange[0]) / (layout.xRange[1] - layout.xRange[0]));
  const ty = clamp((y - layout.yRange[0]) / (layout.yRange[1] - layout.yRange[0]));
  return [
    Math.round(layout.left + tx * (layout.plotWidth - 1)),
    Math.round(layout.top + (1 - ty) * (layout.plotHeight - 1)),
  ];
}

function drawMarker(img: RgbaImage, cx: number, cy: number, c: Rgba): void {
  const h = (MARKER_SIZE - 1) / 2;
  fillRect(img, cx - h, cy - h, MARKER_SIZE, MARKER_SIZE, c);
}

/** Avoidance vs similarity scatter plot drawn straight into RGBA (no canvas), one colour per point. */
export function scatterPlotRgba(
  points: readonly ScatterPoint[],
  width = 480,
  height = 360,
  opts: ScatterOptions = {},
): RgbaImage {
  const L = scatterLayout(points, width, height, opts);
  const img = createImage(width, height, WHITE);
  const [x0, x1] = L.xRange;
  const [y0, y1] = L.yRange;
  // Label digits follow the labelled step (every other tick) so 0.80/0.82 do not both print 0.8.
  const yDigits = Math.max(1, Math.ceil(-Math.log10(((y1 - y0) / TICKS) * 2) - 1e-9));
  for (let i = 0; i <= TICKS; i++) {
    const [gx] = dataToPixel(L, x0 + ((x1 - x0) * i) / TICKS, y0);
    const [, gy] = dataToPixel(L, x0, y0 + ((y1 - y0) * i) / TICKS);
    fillRect(img, gx, L.top, 1, L.plotHeight, GRID);
    fillRect(img, L.left, gy, L.plotWidth, 1, GRID);
    if (i % 2 === 0) {
      const xl = String(Math.round((x0 + ((x1 - x0) * i) / TICKS) * 100));
      drawText(img, xl, gx - Math.floor(textWidth(xl) / 2), L.top + L.plotHeight + 4, BLACK);
      const yl = (y0 + ((y1 - y0) * i) / TICKS).toFixed(yDigits);
      drawText(img, yl, L.left - 4 - textWidth(yl), gy - 3, BLACK);
    }
  }
  fillRect(img, L.left, L.top, 1, L.plotHeight, BLACK);
  fillRect(img, L.left, L.top + L.plotHeight - 1, L.plotWidth, 1, BLACK);
  const xLabel = opts.xLabel ?? 'Avoidance (%)';
  drawText(img, xLabel, L.left + Math.floor((L.plotWidth - textWidth(xLabel)) / 2), height - GLYPH_HEIGHT - 6, BLACK);
  drawText(img, opts.yLabel ?? 'Visual similarity', L.left, L.top - GLYPH_HEIGHT - 6, BLACK);

  points.forEach((p, i) => {
    const [px, py] = dataToPixel(L, p.x, p.y);
    drawMarker(img, px, py, PALETTE[i % PALETTE.length]!);
  });
  if (points.length > 0) {
    const w = width - L.legendX - 4;
    strokeRect(img, L.legendX, L.legendY, w, points.length * LEGEND_ROW + 6, BLACK);
    points.forEach((p, i) => {
      const rowY = L.legendY + 4 + i * LEGEND_ROW;
      drawMarker(img, L.legendX + 4 + (MARKER_SIZE - 1) / 2, rowY + 3, PALETTE[i % PALETTE.length]!);
      drawText(img, p.label, L.legendX + MARKER_SIZE + 8, rowY, BLACK);
    });
  }
  return img;
}

/**
 * Lays images out in rows x columns (rows may be ragged), each pixel repeated `scale` times
 * (nearest neighbour, so small generated images stay crisp). Cells take the largest image's
 * size; smaller images sit in the cell's top-left corner.
 */
export function imageGrid(
  images: readonly (readonly RgbaImage[])[],
  scale = 1,
  gap = 0,
  background: Rgba = WHITE,
): RgbaImage {
  if (!Number.isInteger(scale) || scale < 1) {
    throw new InvalidInputError('bad-grid', `Grid scale must be a positive integer, got ${scale}`);
  }
  if (!Number.isInteger(gap) || gap < 0) {
    throw new InvalidInputError('bad-grid', `Grid gap must be a non-negative integer, got ${gap}`);
  }
  const all = images.flat();
  if (all.length === 0) throw new InvalidInputError('bad-grid', 'The image grid is empty');
  all.forEach((im, i) => assertRgba(im, `grid image ${i + 1}`));
  const cellW = Math.max(...all.map((im) => im.width)) * scale;
  const cellH = Math.max(...all.map((im) => im.height)) * scale;
  const cols = Math.max(...images.map((r) => r.length));
  const rows = images.length;
  const out = createImage(cols * cellW + (cols - 1) * gap, rows * cellH + (rows - 1) * gap, background);
  images.forEach((row, r) =>
    row.forEach((im, c) => {
      const ox = c * (cellW + gap);
      const oy = r * (cellH + gap);
      for (let y = 0; y < im.height * scale; y++) {
        for (let x = 0; x < im.width * scale; x++) {
          const s = (Math.floor(y / scale) * im.width + Math.floor(x / scale)) * 4;
          out.data.set(im.data.subarray(s, s + 4), ((oy + y) * out.width + ox + x) * 4);
        }
      }
    }),
  );
  return out;
}

/** 8-bit RGBA PNG bytes (fast-png), for saving plots and grids from Node or the browser. */
export function encodePng(img: RgbaImage): Uint8Array {
  assertRgba(img);
  return encode({ width: img.width, height: img.height, data: img.data, channels: 4, depth: 8 });
}
