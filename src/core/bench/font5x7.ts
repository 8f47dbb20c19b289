import type { RgbaImage } from '../metrics/image.ts';
import { fillRect, type Rgba } from './raster.ts';

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Horizontal advance: glyph plus one blank column. */
export const GLYPH_ADVANCE = GLYPH_WIDTH + 1;

// A tiny bitmap font so plots need no canvas or DOM. Each entry is the character followed by
// 7 base-32 digits, one per row from the top; bit 4 of a row is the leftmost pixel.
const PACKED =
  '%op248j3.00000cc-000v0000ehjlphe14c4444e2eh1248v3v2421he426aiv225vgu11he668guhhe7v1248888ehhehhe' +
  '9ehhf12cAehhvhhhBuhhuhhuCehgggheDsihhhisEvgguggvFvggugggGehgnhhfHhhhvhhhIe44444eJ72222icKhikokih' +
  'LggggggvMhrllhhhNhhpljhhOehhhhhePuhhugggQehhhlidRuhhukihSfgge11uTv444444UhhhhhheVhhhhha4Whhhllla' +
  'Xhha4ahhYhhha444Zv1248gva00e1fhfbggmphhuc00egghed11djhhfe00ehvgef698s888g0fhhf1ehggmphhhi40c444e' +
  'j20622ickggikokilc44444em00qllhhn00mphhho00ehhhep00uhuggq00djf11r00mpgggs00ege1ut88s8896u00hhhjd' +
  'v00hhha4w00hhllax00ha4ahy00hhf1ez00v248v(2488842)8422248,0000c48:0cc0cc0/01248g0+044v440_000000v' +
  '?eh12404' +
  "'4480000=00v0v00\"aa00000!4444404;0cc0c48";

const GLYPHS = new Map<string, number[]>([[' ', [0, 0, 0, 0, 0, 0, 0]]]);
for (let i = 0; i < PACKED.length; i += 8) {
  GLYPHS.set(PACKED[i]!, [...PACKED.slice(i + 1, i + 8)].map((d) => parseInt(d, 32)));
}

/** Row bitmasks of a character; unknown characters draw as '?'. */
export function glyphRows(ch: string): readonly number[] {
  return GLYPHS.get(ch) ?? GLYPHS.get('?')!;
}

export function textWidth(text: string, scale = 1): number {
  const n = [...text].length; // code points, as drawText walks them
  return n === 0 ? 0 : (n * GLYPH_ADVANCE - 1) * scale;
}

/** Draws `text` with its top-left corner at (x, y); each font pixel becomes scale x scale. */
export function drawText(img: RgbaImage, text: string, x: number, y: number, c: Rgba, scale = 1): void {
  [...text].forEach((ch, i) => {
    const rows = glyphRows(ch);
    const gx = x + i * GLYPH_ADVANCE * scale;
    rows.forEach((bits, r) => {
      for (let col = 0; col < GLYPH_WIDTH; col++) {
        if (bits & (1 << (GLYPH_WIDTH - 1 - col))) fillRect(img, gx + col * scale, y + r * scale, scale, scale, c);
      }
    });
  });
}
