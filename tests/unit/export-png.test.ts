// Provenance in PNG text chunks, and the "export comparison" PNG for slides.
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { comparisonPng, pngWithProvenance, provenanceText, settingsLine, SOFTWARE, type Provenance } from '../../src/app/lib/exportPng.ts';
import { drawText, GLYPH_HEIGHT } from '../../src/core/bench/font5x7.ts';
import { encodePng } from '../../src/core/bench/plot.ts';
import { drawComparison, printable, wrap } from '../../src/core/export/comparison.ts';
import { addTextChunks, crc32, readTextChunks } from '../../src/core/export/pngText.ts';
import { createImage, type RgbaImage } from '../../src/core/metrics/image.ts';

const solid = (w: number, h: number, rgb: [number, number, number]): RgbaImage => createImage(w, h, [...rgb, 255]);
const prov: Provenance = {
  method: 'TIN',
  prompt: 'a crimson disc on a navy background',
  rewrite: 'a white disc on a navy background — u′',
  concepts: ['red', 'café'],
  model: 'ores-tiny-world',
  seed: 42,
  steps: 6,
  switchStep: 1,
  guidance: 5,
};

describe('PNG text chunks', () => {
  it('CRC-32 matches the PNG specification (IEND chunk)', () => {
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
  });

  it('adds tEXt (Latin-1) and iTXt (UTF-8) chunks; the PNG still decodes to the same pixels and every text reads back', () => {
    const img = solid(3, 2, [10, 200, 30]);
    const png = encodePng(img);
    const out = addTextChunks(png, { prompt: 'a red café', rewrite: 'u′ — “quoted”' });
    const d = decode(out);
    expect([d.width, d.height]).toEqual([3, 2]);
    expect(Array.from(d.data)).toEqual(Array.from(decode(png).data));
    expect(d.text.prompt).toBe('a red café'); // fast-png reads the tEXt one
    expect(readTextChunks(out)).toEqual({ prompt: 'a red café', rewrite: 'u′ — “quoted”' });
  });

  it('ignores a chunk whose CRC is wrong, and refuses what is not a PNG or a bad keyword', () => {
    const out = addTextChunks(encodePng(solid(1, 1, [0, 0, 0])), { seed: '42' });
    const i = out.findIndex((_, k) => String.fromCharCode(...out.subarray(k, k + 4)) === 'tEXt');
    const broken = out.slice();
    broken[i + 6] = broken[i + 6]! ^ 0xff; // a byte of "seed"
    expect(readTextChunks(out)).toEqual({ seed: '42' });
    expect(readTextChunks(broken)).toEqual({});
    expect(() => readTextChunks(new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ code: 'not-png' }));
    expect(() => addTextChunks(out, { ' lead': 'x' })).toThrow(expect.objectContaining({ code: 'bad-png-keyword' }));
    expect(() => addTextChunks(out, { ['k'.repeat(80)]: 'x' })).toThrow(expect.objectContaining({ code: 'bad-png-keyword' }));
  });

  it('a downloaded image carries prompt, rewrite, policy, model, seed, steps, S and guidance', () => {
    const text = readTextChunks(pngWithProvenance(encodePng(solid(2, 2, [1, 2, 3])), prov));
    expect(text).toEqual({
      Software: SOFTWARE,
      method: 'TIN',
      prompt: prov.prompt,
      rewrite: prov.rewrite,
      'policy concepts': 'red, café',
      model: 'ores-tiny-world',
      seed: '42',
      steps: '6',
      'switch step S': '1',
      guidance: '5',
    });
    expect(provenanceText({ ...prov, rewrite: undefined, switchStep: undefined })).not.toHaveProperty('switch step S');
  });
});

describe('export comparison', () => {
  const colours: [number, number, number][] = [
    [220, 35, 35],
    [40, 85, 230],
    [45, 170, 60],
    [245, 222, 40],
  ];
  const labels = ['ORIGINAL', 'BLACK LIST', 'NEGATIVE PROMPT', 'TIN'];

  it('lays out the images side by side under their labels, with the info lines below', () => {
    const panels = labels.map((label, i) => ({ label, image: solid(32, 32, colours[i]!) }));
    const c = drawComparison(panels, ['u: a crimson disc', "u': a white disc", 'policy: red', settingsLine(prov)], { tile: 128, textScale: 1 });
    const lineH = GLYPH_HEIGHT + 5;
    expect(c.image.width).toBe(16 + 4 * (128 + 16));
    expect(c.image.height).toBe(16 + lineH + 128 + 16 + 4 * lineH + 16);
    expect(c.labels.map((l) => l.text)).toEqual(labels);
    expect(c.lines.map((l) => l.text)).toEqual(['u: a crimson disc', "u': a white disc", 'policy: red', 'settings: model ores-tiny-world, seed 42, T = 6 steps, S = 1, guidance 5']);
    const px = (x: number, y: number) => Array.from(c.image.data.subarray((y * c.image.width + x) * 4, (y * c.image.width + x) * 4 + 4));
    panels.forEach((p, i) => {
      // the centre of each tile is its image's colour
      expect(px(16 + i * 144 + 64, 16 + lineH + 64)).toEqual([...colours[i]!, 255]);
      // the label's pixels are exactly the font's rendering of the label
      const ref = createImage(c.image.width, c.image.height);
      drawText(ref, p.label, c.labels[i]!.x, c.labels[i]!.y, [28, 34, 48, 255], 1);
      for (let y = c.labels[i]!.y; y < c.labels[i]!.y + GLYPH_HEIGHT; y++) {
        for (let x = c.labels[i]!.x; x < c.labels[i]!.x + 128; x++) expect(px(x, y)).toEqual(Array.from(ref.data.subarray((y * ref.width + x) * 4, (y * ref.width + x) * 4 + 4)));
      }
    });
  });

  it('wraps and shortens long text; maps typographic marks to what the font draws', () => {
    expect(printable('u′ “café” – ok ☃')).toBe('u\' "cafe" - ok ?');
    const long = wrap('word '.repeat(200), 20);
    expect(long).toHaveLength(3);
    expect(long.at(-1)!.endsWith('...')).toBe(true);
    for (const l of long) expect(l.length).toBeLessThanOrEqual(20);
  });

  it('the exported PNG decodes at the expected size and carries labels, u, u′, policy and settings in text chunks', () => {
    const images = labels.slice(0, 2).map((label, i) => ({ label, png: encodePng(solid(32, 32, colours[i]!)) }));
    const png = comparisonPng(images, prov);
    const d = decode(png);
    expect(d.width).toBe(16 + 2 * (256 + 16));
    const text = readTextChunks(png);
    expect(text).toMatchObject({ labels: 'ORIGINAL, BLACK LIST', prompt: prov.prompt, rewrite: prov.rewrite, 'policy concepts': 'red, café', seed: '42', steps: '6', 'switch step S': '1' });
  });

  it('refuses an empty comparison', () => {
    expect(() => drawComparison([], [])).toThrow(expect.objectContaining({ code: 'nothing-to-export' }));
  });
});
