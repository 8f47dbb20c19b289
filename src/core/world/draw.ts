import type { RgbaImage } from '../metrics/image.ts';
import { WORLD, valueNames, worldValue, type Attribute } from './vocabulary.ts';

/** A scene of the world; mirrors tools/world/world.py so tests can draw fresh ground truth in Node. */
export type Scene = Record<Attribute, string> & { position: string };

const RADIUS: Record<string, number> = { small: 5, medium: 8, large: 12 };
const POSITIONS: Record<string, [number, number]> = { left: [10, 16], right: [22, 16], top: [16, 10], bottom: [16, 22], center: [16, 16] };
const SUPERSAMPLE = 4;

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const uniform = (rand: () => number, lo: number, hi: number) => lo + (hi - lo) * rand();

export function randomScene(rand: () => number): Scene {
  const s = Object.fromEntries((['colour', 'shape', 'background', 'pattern', 'size', 'count'] as const).map((a) => [a, pick(rand, valueNames(a))])) as Scene;
  if (s.count === 'two' && s.size === 'large') s.size = pick(rand, ['small', 'medium']);
  if (s.size === 'small') s.pattern = 'plain'; // patterns are unreadable on a 5-pixel object
  s.position = s.count === 'one' ? pick(rand, Object.keys(POSITIONS)) : 'center';
  return s;
}

function insideShape(shape: string, dx: number, dy: number, r: number): boolean {
  switch (shape) {
    case 'circle':
      return dx * dx + dy * dy <= r * r;
    case 'square':
      return Math.max(Math.abs(dx), Math.abs(dy)) <= r * 0.82;
    case 'triangle': {
      const top = -r;
      const bottom = r * 0.8;
      return dy >= top && dy <= bottom && Math.abs(dx) <= ((dy - top) / (bottom - top)) * r;
    }
    case 'diamond':
      return Math.abs(dx) + Math.abs(dy) <= r * 1.1;
    case 'cross': {
      const arm = r * 0.36;
      return (Math.abs(dx) <= arm && Math.abs(dy) <= r) || (Math.abs(dy) <= arm && Math.abs(dx) <= r);
    }
    default:
      throw new Error(`Unknown shape ${shape}`);
  }
}

function inPattern(pattern: string, x: number, y: number): boolean {
  if (pattern === 'striped') return Math.floor(y / 3) % 2 === 1;
  if (pattern === 'dotted') {
    const gx = (x % 5) - 2.5;
    const gy = (y % 5) - 2.5;
    return gx * gx + gy * gy <= 1.5 ** 2;
  }
  return false;
}

function centres(s: Scene, rand: () => number): { r: number; points: [number, number][] } {
  const size = WORLD.imageSize;
  let r = RADIUS[s.size]!;
  if (s.count === 'two') {
    r *= 0.8;
    const cy = 16 + uniform(rand, -2, 2);
    return { r, points: [[9 + uniform(rand, -1, 1), cy], [23 + uniform(rand, -1, 1), cy]] };
  }
  const [px, py] = POSITIONS[s.position]!;
  const clamp = (v: number) => Math.min(size - 1 - r, Math.max(r + 1, v));
  return { r, points: [[clamp(px + uniform(rand, -2, 2)), clamp(py + uniform(rand, -2, 2))]] };
}

/** Draws a scene with 4x4 supersampling, as the training images were drawn. */
export function drawScene(s: Scene, rand: () => number): RgbaImage {
  const size = WORLD.imageSize;
  const bg = worldValue('background', s.background).rgb!;
  const fg = worldValue('colour', s.colour).rgb!;
  const { r, points } = centres(s, rand);
  const data = new Uint8ClampedArray(size * size * 4);
  const acc = [0, 0, 0];
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      acc.fill(0);
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const x = px + (sx + 0.5) / SUPERSAMPLE;
          const y = py + (sy + 0.5) / SUPERSAMPLE;
          let colour: readonly number[] = bg;
          for (const [cx, cy] of points) {
            if (insideShape(s.shape, x - cx, y - cy, r)) colour = inPattern(s.pattern, x, y) ? fg.map((v: number) => v * 0.45) : fg;
          }
          for (let c = 0; c < 3; c++) acc[c]! += colour[c]!;
        }
      }
      const o = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) data[o + c] = Math.round(acc[c]! / SUPERSAMPLE ** 2);
      data[o + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}
