import { refuse, seedError } from './inputChecks.ts';
import { mulberry32 } from '../random.ts';

/**
 * Seeded standard-normal noise: mulberry32 uniforms through Box-Muller. The same seed gives the
 * same latents in Node, workers and pages, on WebGPU and on WASM.
 */
export class SeededNoise {
  private readonly uniform: () => number;
  private spare: number | null = null;

  constructor(seed: number) {
    refuse(seedError(seed));
    this.uniform = mulberry32(seed);
  }

  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.uniform(); // in (0, 1], so log is finite
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  fill(length: number, scale = 1): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = this.normal() * scale;
    return out;
  }
}
