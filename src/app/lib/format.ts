/** Small pure helpers for the view: sizes, highlighted text, file names. */
import type { ModelEntry } from '../../core/manifest.ts';

export { formatBytes } from '../../core/bytes.ts';

/** Download size of a model entry from the manifest's byte counts (undefined when it lists none). */
export function modelBytes(entry: ModelEntry): number | undefined {
  let total = 0;
  let known = false;
  const add = (f: { bytes?: number }): void => {
    // exact size, or the hub's rounded size where only that is known
    const n = f.bytes ?? (f as { approxBytes?: number }).approxBytes;
    if (n !== undefined) {
      total += n;
      known = true;
    }
  };
  for (const f of Object.values(entry.files)) {
    add(f);
    for (const x of f.externalData ?? []) add(x);
  }
  return known ? total : undefined;
}

export interface Segment<T> {
  readonly text: string;
  /** The hit that covers this segment, if any. */
  readonly hit?: T;
}

/** Splits `text` into plain and highlighted segments; overlapping spans keep the first (longest at its start). */
export function segments<T extends { start: number; end: number }>(text: string, hits: readonly T[]): Segment<T>[] {
  const sorted = [...hits].filter((h) => h.end > h.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Segment<T>[] = [];
  let at = 0;
  for (const h of sorted) {
    if (h.start < at) continue;
    if (h.start > at) out.push({ text: text.slice(at, h.start) });
    out.push({ text: text.slice(h.start, h.end), hit: h });
    at = h.end;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

/** "ores-tin-seed42.png" */
export function pngName(kind: string, seed: number): string {
  return `ores-${kind}-seed${seed}.png`;
}

/** "step 3" or "steps 2–6" (1-based, inclusive); empty when the range is empty. */
export function stepRange(from: number, to: number): string {
  if (to < from) return '';
  return from === to ? `step ${from}` : `steps ${from}–${to}`;
}

/** How TIN splits T steps at S, in words: "step 1 on u, steps 2–6 on u′"; S = 0 and S = T say so. */
export function switchSummary(switchStep: number, steps: number): string {
  if (switchStep <= 0) return `all ${steps} steps on u′ (S = 0)`;
  if (switchStep >= steps) return `all ${steps} steps on u (S = T: no switch)`;
  return `${stepRange(1, switchStep)} on u, ${stepRange(switchStep + 1, steps)} on u′`;
}
