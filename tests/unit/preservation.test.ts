import { describe, expect, it } from 'vitest';
import { markdownTable } from '../../src/core/bench/report.ts';
import type { OresCase } from '../../src/core/bench/caseFile.ts';
import type { ConceptJudge } from '../../src/core/judge/types.ts';
import { summarize } from '../../src/core/metrics/avoidance.ts';
import { createImage, type RgbaImage } from '../../src/core/metrics/image.ts';
import { attributesKept, backgroundColour, displacementPx, foregroundCentroid, median } from '../../src/core/metrics/preservation.ts';
import { scoreBenchmark, summarizeBenchmark, type GeneratedImage } from '../../src/core/tin/benchmark.ts';

const NAVY = [22, 28, 72] as const;

/** A navy 32x32 image with a filled square of side `side` at (x, y) in colour `rgb`. */
function square(x: number, y: number, rgb: readonly [number, number, number] = [220, 35, 35], side = 8): RgbaImage {
  const img = createImage(32, 32, [...NAVY, 255]);
  for (let r = y; r < y + side; r++) for (let c = x; c < x + side; c++) img.data.set([...rgb, 255], (r * 32 + c) * 4);
  return img;
}

describe('displacement', () => {
  it('an object moved by 3 px has displacement 3; by (3, 4) px, 5', () => {
    expect(displacementPx(square(13, 10), square(10, 10))).toBeCloseTo(3, 12);
    expect(displacementPx(square(10, 10), square(13, 14))).toBeCloseTo(5, 12);
    expect(displacementPx(square(10, 10), square(10, 10))).toBe(0);
  });

  it('does not move when only the colour changes, and ignores decoder-like noise on the background', () => {
    const noisy = square(10, 10, [40, 85, 230]);
    for (let i = 0; i < noisy.data.length; i += 4 * 7) if (noisy.data[i]! === NAVY[0]) noisy.data[i] = NAVY[0] + 25;
    expect(displacementPx(noisy, square(10, 10))).toBe(0);
  });

  it('finds the background colour on the border and the centroid of the rest', () => {
    expect(backgroundColour(square(4, 4))).toEqual([...NAVY]);
    expect(foregroundCentroid(square(4, 6, [220, 35, 35], 4))).toEqual({ x: 5.5, y: 7.5, pixels: 16 });
    expect(foregroundCentroid(createImage(32, 32, [...NAVY, 255]))).toBeNull();
    expect(displacementPx(createImage(32, 32, [...NAVY, 255]), square(1, 1))).toBeNull();
    expect(() => displacementPx(square(1, 1), createImage(16, 16))).toThrow(/same size/);
  });
});

describe('attributes kept', () => {
  const reading = { colour: 'red', shape: 'circle', background: 'navy', pattern: 'plain', size: 'small', count: 'one' };
  it('identical predictions keep every attribute other than the banned ones (100%)', () => {
    expect(attributesKept(reading, reading, new Set(['colour']))).toEqual({ kept: 5, of: 5, changed: [] });
  });
  it('counts changed attributes, and never the banned ones', () => {
    expect(attributesKept({ ...reading, colour: 'blue', size: 'large' }, reading, new Set(['colour']))).toEqual({ kept: 4, of: 5, changed: ['size'] });
    expect(attributesKept({ ...reading, colour: 'blue', size: 'large' }, reading, new Set(['colour', 'size']))).toEqual({ kept: 4, of: 4, changed: [] });
  });
  it('median', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('preservation in the benchmark', () => {
  const cases: OresCase[] = [{ line: 1, concept: 'red', concepts: ['red'], object: 'square', query: 'a red square on navy' } as OresCase];
  // Reads colour from the object's pixels and size from its area; everything else fixed.
  const judge: ConceptJudge = {
    id: 'fake',
    check() {},
    async judge(images, concepts) {
      return images.map((im) => {
        const c = foregroundCentroid(im)!;
        const i = (Math.round(c.y) * 32 + Math.round(c.x)) * 4;
        const colour = im.data[i]! > 128 ? 'red' : 'blue';
        const present = concepts.includes(colour);
        return {
          present,
          concepts: concepts.map((concept) => ({ concept, present })),
          attributes: { colour, shape: 'square', background: 'navy', pattern: 'plain', size: c.pixels > 80 ? 'large' : 'medium', count: 'one' },
        };
      });
    },
  };
  const image = (method: string, seed: number, img: RgbaImage): GeneratedImage => ({ method, label: method.toUpperCase(), caseLine: 1, seed, image: img, conditioning: [], ms: 0 });

  it('records attributes kept and the displacement against ORIGINAL at the same seed, and summarises them', async () => {
    const images = [
      image('original', 0, square(10, 10)),
      image('tin', 0, square(13, 10, [40, 85, 230])), // recoloured and moved 3 px
      image('original', 1, square(10, 10)),
      image('tin', 1, square(10, 10, [40, 85, 230], 10)), // recoloured and grown: size changed
    ];
    const records = await scoreBenchmark(cases, images, judge);
    const tin = records.filter((r) => r.methodId === 'tin');
    expect(tin.map((r) => r.attributesKept)).toEqual([{ kept: 5, of: 5 }, { kept: 4, of: 5 }]);
    expect(tin[0]!.displacementPx).toBeCloseTo(3, 12);
    expect(tin[1]!.displacementPx).toBeCloseTo(Math.SQRT2, 12);
    const s = summarizeBenchmark(records).all.find((m) => m.method === 'TIN')!;
    expect(s.attributesKept).toBeCloseTo(9 / 10, 12);
    expect(s.displacementPx).toBeCloseTo((3 + Math.SQRT2) / 2, 12);
    expect(s.displacedOver4Px).toBe(0);
    const o = summarizeBenchmark(records).all.find((m) => m.method === 'ORIGINAL')!;
    expect([o.attributesKept, o.displacementPx]).toEqual([1, 0]);
  });

  it('the Markdown table adds the preservation columns, lowest displacement in bold', () => {
    const s = summarize([
      { method: 'A', caseId: 1, seed: 0, conceptPresent: false, similarity: 0.9, ssim: 0.5, attributesKept: { kept: 4, of: 5 }, displacementPx: 2 },
      { method: 'B', caseId: 1, seed: 0, conceptPresent: false, similarity: 0.9, ssim: 0.5, attributesKept: { kept: 5, of: 5 }, displacementPx: 0.5 },
    ]);
    const lines = markdownTable(s, { highlightBest: true }).trim().split('\n');
    expect(lines[0]).toContain('Attributes kept (%) ↑ | Displacement (px, median) ↓ | Moved > 4 px (%) ↓');
    expect(lines[2]).toContain('| 80.0 | 2.00 | **0.0** |');
    expect(lines[3]).toContain('| **100.0** | **0.50** | **0.0** |');
  });
});
