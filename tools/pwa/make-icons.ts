// Draws the app's install icons (public/icons/icon-192.png, icon-512.png): a navy square with a
// crossed-out red circle (a banned concept) over a blue disc, the shapes of the embedded model's world.
// Run once with `npx tsx tools/pwa/make-icons.ts`; the PNGs are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { encode } from 'fast-png';

function icon(size: number): Uint8Array {
  const data = new Uint8Array(size * size * 4);
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5 - c) / size;
      const v = (y + 0.5 - c) / size;
      const r = Math.hypot(u, v);
      let rgb = [20, 33, 61]; // navy background (full bleed: maskable)
      if (r < 0.3) rgb = [59, 130, 246]; // blue disc
      const ring = Math.abs(r - 0.34) < 0.045;
      const bar = Math.abs(u - v) / Math.SQRT2 < 0.04 && r < 0.34;
      if (ring || bar) rgb = [220, 38, 38]; // red "no" sign
      data.set([...rgb, 255], (y * size + x) * 4);
    }
  }
  return encode({ width: size, height: size, data, channels: 4 });
}

mkdirSync('public/icons', { recursive: true });
for (const size of [192, 512]) writeFileSync(`public/icons/icon-${size}.png`, icon(size));
