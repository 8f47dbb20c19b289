import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { drawText, glyphRows, textWidth } from '../../src/core/bench/font5x7.ts';
import {
  dataToPixel,
  encodePng,
  imageGrid,
  MARKER_SIZE,
  PALETTE,
  scatterLayout,
  scatterPlotRgba,
  type ScatterPoint,
} from '../../src/core/bench/plot.ts';
import { createImage, type RgbaImage } from '../../src/core/metrics/image.ts';

const px = (img: RgbaImage, x: number, y: number) => [...img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4)];

describe('font5x7', () => {
  it('has every required character, and unknown ones fall back to ?', () => {
    const required = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz%.- ';
    for (const ch of required) {
      const rows = glyphRows(ch);
      expect(rows).toHaveLength(7);
      if (ch !== ' ') expect(rows.some((r) => r > 0)).toBe(true);
      expect(rows.every((r) => r >= 0 && r < 32)).toBe(true);
    }
    expect(glyphRows('€')).toEqual(glyphRows('?'));
    expect(new Set(required.split('').map((c) => glyphRows(c).join())).size).toBe(required.length);
  });

  it('draws glyph pixels where the bitmap says', () => {
    const img = createImage(12, 7);
    drawText(img, 'L1', 0, 0, [0, 0, 0, 255]);
    // 'L' is a left column plus a bottom row; '1' starts at x = 6.
    expect(px(img, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(px(img, 4, 6)).toEqual([0, 0, 0, 255]);
    expect(px(img, 4, 0)).toEqual([255, 255, 255, 255]);
    expect(px(img, 8, 0)).toEqual([0, 0, 0, 255]);
    expect(textWidth('L1')).toBe(11);
    expect(textWidth('L1', 2)).toBe(22);
  });
});

describe('scatterPlotRgba', () => {
  const points: ScatterPoint[] = [
    { label: 'SD', x: 0.1, y: 0.95 },
    { label: 'TIN', x: 0.85, y: 0.82 },
    { label: 'Negative prompt', x: 0.5, y: 0.7 },
  ];

  it('has the requested size and draws each marker in its colour at the expected place', () => {
    const img = scatterPlotRgba(points);
    expect([img.width, img.height]).toEqual([480, 360]);
    expect(img.data.length).toBe(480 * 360 * 4);
    const L = scatterLayout(points, 480, 360);
    expect(L.yRange).toEqual([0.7, 1]);
    points.forEach((p, i) => {
      const [cx, cy] = dataToPixel(L, p.x, p.y);
      const h = (MARKER_SIZE - 1) / 2;
      for (const [dx, dy] of [[0, 0], [-h, -h], [h, h]] as const) expect(px(img, cx + dx, cy + dy)).toEqual([...PALETTE[i]!]);
      expect(px(img, cx + h + 2, cy)).not.toEqual([...PALETTE[i]!]);
    });
    // The marker lands in the right part of the plot: x = 0.85 of the way across.
    const [cx] = dataToPixel(L, 0.85, 0.82);
    expect(cx).toBe(Math.round(L.left + 0.85 * (L.plotWidth - 1)));
  });

  it('draws axes, gridlines and a legend swatch per method', () => {
    const opts = { yRange: [0, 1] } as const;
    const img = scatterPlotRgba(points, 480, 360, opts);
    const L = scatterLayout(points, 480, 360, opts);
    const [x0, y0] = dataToPixel(L, 0, 0);
    expect(px(img, x0, L.top + 3)).toEqual([0, 0, 0, 255]); // y axis
    expect(px(img, L.left + 100, y0)).toEqual([0, 0, 0, 255]); // x axis
    const [gx] = dataToPixel(L, 0.3, 0);
    expect(px(img, gx, L.top + 2)).toEqual([225, 225, 225, 255]); // vertical gridline at 30 %
    points.forEach((_, i) => {
      const sx = L.legendX + 4 + (MARKER_SIZE - 1) / 2;
      const sy = L.legendY + 4 + i * 12 + 3;
      expect(px(img, sx, sy)).toEqual([...PALETTE[i]!]);
    });
    // Legend sits right of the plot area so it cannot hide markers.
    expect(L.legendX).toBeGreaterThanOrEqual(L.left + L.plotWidth);
  });

  it('pins out-of-range points to the edge and rejects impossible layouts', () => {
    const L = scatterLayout([], 480, 360, { yRange: [0.5, 1] });
    expect(dataToPixel(L, 2, 0)).toEqual([L.left + L.plotWidth - 1, L.top + L.plotHeight - 1]);
    expect(() => scatterPlotRgba(points, 100, 80)).toThrow(/no room/);
    expect(() => scatterPlotRgba(points, 480, 360, { yRange: [1, 1] })).toThrow(/low < high/);
  });
});

describe('imageGrid', () => {
  const solid = (w: number, h: number, v: number) => createImage(w, h, [v, v, v, 255]);

  it('upscales with nearest neighbour and places cells with gaps', () => {
    const a = createImage(2, 1, [0, 0, 0, 255]);
    a.data.set([255, 0, 0, 255], 4); // right pixel red
    const g = imageGrid([[a, solid(2, 1, 10)], [solid(1, 1, 20)]], 3, 2, [1, 2, 3, 255]);
    expect([g.width, g.height]).toEqual([2 * 6 + 2, 2 * 3 + 2]);
    expect(px(g, 2, 2)).toEqual([0, 0, 0, 255]);
    expect(px(g, 3, 0)).toEqual([255, 0, 0, 255]);
    expect(px(g, 6, 0)).toEqual([1, 2, 3, 255]); // gap
    expect(px(g, 8, 1)).toEqual([10, 10, 10, 255]);
    expect(px(g, 2, 5)).toEqual([20, 20, 20, 255]);
    expect(px(g, 3, 5)).toEqual([1, 2, 3, 255]); // smaller image leaves background
    expect(px(g, 8, 5)).toEqual([1, 2, 3, 255]); // ragged row
  });

  it('rejects empty grids and bad scales', () => {
    expect(() => imageGrid([])).toThrow(/empty/);
    expect(() => imageGrid([[solid(1, 1, 0)]], 1.5)).toThrow(/scale/);
    expect(() => imageGrid([[solid(1, 1, 0)]], 1, -1)).toThrow(/gap/);
  });
});

describe('encodePng', () => {
  it('round-trips through fast-png decode', () => {
    const img = scatterPlotRgba([{ label: 'A', x: 0.4, y: 0.9 }], 200, 150);
    const png = encodePng(img);
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    const back = decode(png);
    expect([back.width, back.height, back.channels, back.depth]).toEqual([200, 150, 4, 8]);
    expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(img.data))).toBe(true);
  });
});
