/**
 * What a downloaded PNG says about itself (provenance in PNG text chunks), and the "export
 * comparison" PNG for slides. Pure: bytes in, bytes out (fast-png decodes and encodes).
 */
import { decode } from 'fast-png';
import { encodePng } from '../../core/bench/plot.ts';
import { drawComparison } from '../../core/export/comparison.ts';
import { addTextChunks } from '../../core/export/pngText.ts';
import type { RgbaImage } from '../../core/metrics/image.ts';

/** How one image was made. */
export interface Provenance {
  /** The run's title: TIN, ORIGINAL, BLACK LIST, ... */
  readonly method: string;
  readonly prompt: string;
  /** u′, when there was a rewrite. */
  readonly rewrite?: string;
  readonly concepts: readonly string[];
  readonly model: string;
  readonly seed: number;
  readonly steps: number;
  /** The switch step S (TIN only). */
  readonly switchStep?: number;
  readonly guidance?: number;
  readonly negativePrompt?: string;
}

/** What every run of one Generate shared (captured when it was clicked). */
export interface RunContext {
  readonly concepts: readonly string[];
  readonly model: string;
  /** u′, once the rewrite is written. */
  readonly rewrite?: string;
}

export const SOFTWARE = 'ORES in the browser (TIN, Ni et al. AAAI 2024)';

/** One text chunk per field; the keywords are plain words so any PNG viewer lists them readably. */
export function provenanceText(p: Provenance): Record<string, string> {
  const out: Record<string, string> = { Software: SOFTWARE, method: p.method, prompt: p.prompt };
  if (p.rewrite !== undefined) out.rewrite = p.rewrite;
  out['policy concepts'] = p.concepts.join(', ');
  out.model = p.model;
  out.seed = String(p.seed);
  out.steps = String(p.steps);
  if (p.switchStep !== undefined) out['switch step S'] = String(p.switchStep);
  if (p.guidance !== undefined) out.guidance = String(p.guidance);
  if (p.negativePrompt) out['negative prompt'] = p.negativePrompt;
  return out;
}

/** The image's PNG with its provenance in text chunks. */
export function pngWithProvenance(png: Uint8Array, p: Provenance): Uint8Array {
  return addTextChunks(png, provenanceText(p));
}

function rgbaOf(png: Uint8Array): RgbaImage {
  const d = decode(png);
  if (d.depth !== 8) throw new Error(`comparison: ${d.depth}-bit PNGs are not supported`);
  const data = new Uint8ClampedArray(d.width * d.height * 4);
  for (let i = 0; i < d.width * d.height; i++) {
    for (let c = 0; c < 3; c++) data[i * 4 + c] = d.data[i * d.channels + (d.channels >= 3 ? c : 0)]!;
    data[i * 4 + 3] = d.channels === 4 || d.channels === 2 ? d.data[i * d.channels + d.channels - 1]! : 255;
  }
  return { width: d.width, height: d.height, data };
}

/** The settings line under the images. */
export function settingsLine(p: Pick<Provenance, 'model' | 'seed' | 'steps' | 'switchStep' | 'guidance'>): string {
  const parts = [`model ${p.model}`, `seed ${p.seed}`, `T = ${p.steps} steps`];
  if (p.switchStep !== undefined) parts.push(`S = ${p.switchStep}`);
  if (p.guidance !== undefined) parts.push(`guidance ${p.guidance}`);
  return `settings: ${parts.join(', ')}`;
}

/**
 * One PNG with the result images side by side under their labels, then u, u′, the policy and
 * the settings; its text chunks carry the same (labels included) for whoever reads the file.
 */
export function comparisonPng(images: readonly { label: string; png: Uint8Array }[], p: Omit<Provenance, 'method'>): Uint8Array {
  const info = [`u: ${p.prompt}`, `u': ${p.rewrite ?? '(no rewrite)'}`, `policy: ${p.concepts.join(', ') || '(no banned concepts)'}`, settingsLine(p)];
  const { image } = drawComparison(
    images.map((x) => ({ label: x.label, image: rgbaOf(x.png) })),
    info,
  );
  return addTextChunks(encodePng(image), { ...provenanceText({ ...p, method: 'comparison' }), labels: images.map((x) => x.label).join(', ') });
}
