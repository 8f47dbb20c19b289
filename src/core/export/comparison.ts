/**
 * "Export comparison": one PNG for a slide with the result images side by side, each under its
 * label, and below them u, u', the policy and the settings, drawn with the project's 5x7 bitmap
 * font (no canvas: runs in Node tests, workers and the page alike).
 */
import { drawText, GLYPH_ADVANCE, GLYPH_HEIGHT } from '../bench/font5x7.ts';
import { fillRect, type Rgba } from '../bench/raster.ts';
import { InvalidInputError } from '../errors.ts';
import { createImage, type RgbaImage } from '../metrics/image.ts';

export interface ComparisonPanel {
  readonly label: string;
  readonly image: RgbaImage;
}

export interface ComparisonOptions {
  /** Side of each image's square, in pixels (default 256; small images are scaled up without smoothing). */
  readonly tile?: number;
  /** Size of a font pixel (default 2). */
  readonly textScale?: number;
}

export interface DrawnText {
  readonly text: string;
  readonly x: number;
  readonly y: number;
}

export interface Comparison {
  readonly image: RgbaImage;
  /** Each panel's label as drawn (after `printable` and shortening), with its top-left corner. */
  readonly labels: readonly DrawnText[];
  /** The info lines as drawn (wrapped). */
  readonly lines: readonly DrawnText[];
}

const PAD = 16;
const INK: Rgba = [28, 34, 48, 255];
const FRAME: Rgba = [217, 221, 229, 255];
/** Wrapped lines kept per info item; a longer text ends in "...". */
const MAX_LINES_PER_ITEM = 3;

const ASCII: Record<string, string> = { '′': "'", '‘': "'", '’': "'", '“': '"', '”': '"', '–': '-', '—': '-', '…': '...', '·': '-', '×': 'x' };

/** The text as the bitmap font can draw it: typographic marks to ASCII, accents dropped, anything else '?'. */
export function printable(text: string): string {
  return [...text]
    .map((ch) => ASCII[ch] ?? ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, ''))
    .join('')
    .replace(/[^\u0020-\u007e]/g, '?');
}

function shorten(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, Math.max(0, maxChars - 3))}...`;
}

/** Greedy word wrap to `maxChars` per line, at most MAX_LINES_PER_ITEM lines. */
export function wrap(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (next.length <= maxChars) line = next;
    else {
      if (line) lines.push(line);
      line = word.length > maxChars ? shorten(word, maxChars) : word;
    }
  }
  if (line) lines.push(line);
  if (lines.length > MAX_LINES_PER_ITEM) {
    lines.length = MAX_LINES_PER_ITEM;
    lines[MAX_LINES_PER_ITEM - 1] = shorten(`${lines[MAX_LINES_PER_ITEM - 1]} ...`, maxChars);
  }
  return lines.length ? lines : [''];
}

/** Nearest-neighbour copy of `src` into the square at (x, y), fitted and centred. */
function blit(dst: RgbaImage, src: RgbaImage, x: number, y: number, side: number): void {
  const f = side / Math.max(src.width, src.height);
  const w = Math.round(src.width * f);
  const h = Math.round(src.height * f);
  const ox = x + Math.floor((side - w) / 2);
  const oy = y + Math.floor((side - h) / 2);
  for (let yy = 0; yy < h; yy++) {
    const sy = Math.min(src.height - 1, Math.floor(yy / f));
    for (let xx = 0; xx < w; xx++) {
      const sx = Math.min(src.width - 1, Math.floor(xx / f));
      const s = (sy * src.width + sx) * 4;
      dst.data.set(src.data.subarray(s, s + 4), ((oy + yy) * dst.width + ox + xx) * 4);
    }
  }
}

/** Lays out and draws the comparison; `info` items are wrapped ("u: ...", "u': ...", "policy: ...", "settings: ..."). */
export function drawComparison(panels: readonly ComparisonPanel[], info: readonly string[], o: ComparisonOptions = {}): Comparison {
  if (panels.length === 0) throw new InvalidInputError('nothing-to-export', 'There is no finished image to put in the comparison.');
  const tile = o.tile ?? 256;
  const scale = o.textScale ?? 2;
  const lineH = (GLYPH_HEIGHT + 5) * scale;
  const width = PAD + panels.length * (tile + PAD);
  const maxChars = Math.floor((width - 2 * PAD + scale) / (GLYPH_ADVANCE * scale));
  const wrapped = info.flatMap((item) => wrap(printable(item), maxChars));
  const imagesTop = PAD + lineH;
  const infoTop = imagesTop + tile + PAD;
  const image = createImage(width, infoTop + wrapped.length * lineH + PAD);

  const labels = panels.map((p, i) => {
    const x = PAD + i * (tile + PAD);
    const text = shorten(printable(p.label), Math.floor((tile + scale) / (GLYPH_ADVANCE * scale)));
    drawText(image, text, x, PAD, INK, scale);
    fillRect(image, x - 1, imagesTop - 1, tile + 2, tile + 2, FRAME);
    fillRect(image, x, imagesTop, tile, tile, [255, 255, 255, 255]);
    blit(image, p.image, x, imagesTop, tile);
    return { text, x, y: PAD };
  });
  const lines = wrapped.map((text, i) => {
    const y = infoTop + i * lineH;
    drawText(image, text, PAD, y, INK, scale);
    return { text, x: PAD, y };
  });
  return { image, labels, lines };
}
