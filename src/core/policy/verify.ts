/**
 * Output verification: every image made under a policy is judged before it is shown. When the
 * judge sees a banned concept, the image is made again with the rewrite from step 0 (S = 0) and
 * the next seed, up to `maxRetries` times; then the run is refused with a reason that names the
 * concept and the judge. Runtime-free: the caller brings `generate` and `judge`.
 */
import type { ImageVerdict } from '../judge/types.ts';

export interface VerifyAttempt {
  readonly seed: number;
  readonly switchStep: number;
  /** On a regeneration: what the judge saw in the previous image (a rewriter that can, writes u' again knowing it). */
  readonly seen?: string;
}

export interface JudgedAttempt extends VerifyAttempt {
  readonly verdict: ImageVerdict | null;
}

export type Verification =
  | { readonly status: 'clean'; readonly judge: string; readonly retries: number }
  | { readonly status: 'refused'; readonly judge: string; readonly retries: number; readonly reason: string }
  | { readonly status: 'unchecked'; readonly reason: string };

export interface VerifiedResult<T> {
  /** The image to show; null when refused. */
  readonly output: T | null;
  /** The last attempt's image, shown or not (the benchmark measures refused images too). */
  readonly last: T;
  readonly verification: Verification;
  readonly attempts: readonly JudgedAttempt[];
}

export interface VerifyDeps<T> {
  generate(attempt: VerifyAttempt): Promise<T>;
  /** null: no judge can check these concepts on this model (`uncheckedReason` says why). */
  readonly judge: { readonly id: string; check(output: T): Promise<ImageVerdict> } | null;
  readonly uncheckedReason?: string;
}

export const DEFAULT_MAX_RETRIES = 2;

/** The next seed, wrapping inside the engine's 32-bit range. */
export const nextSeed = (seed: number): number => (seed + 1) % 0x1_0000_0000;

/** One line for every result card. */
export function describeVerification(v: Verification): string {
  switch (v.status) {
    case 'clean':
      return v.retries === 0 ? `checked by ${v.judge}: clean` : `checked by ${v.judge}: clean after ${v.retries} regeneration${v.retries === 1 ? '' : 's'}`;
    case 'refused':
      return `refused: ${v.reason}`;
    case 'unchecked':
      return `not checked: ${v.reason}`;
  }
}

/** The banned concepts a verdict found, with the judge's detail: `"circle" (shape: judged circle (p=0.97))`. */
export function describeSeen(verdict: ImageVerdict): string {
  return verdict.concepts
    .filter((c) => c.present)
    .map((c) => `"${c.concept}"${c.detail ? ` (${c.detail})` : ''}`)
    .join(', ');
}

export async function generateVerified<T>(deps: VerifyDeps<T>, first: VerifyAttempt, maxRetries = DEFAULT_MAX_RETRIES): Promise<VerifiedResult<T>> {
  if (!deps.judge) {
    const output = await deps.generate(first);
    return { output, last: output, verification: { status: 'unchecked', reason: deps.uncheckedReason ?? 'no judge for this model' }, attempts: [{ ...first, verdict: null }] };
  }
  const attempts: JudgedAttempt[] = [];
  let attempt = first;
  let last: T | undefined;
  for (let k = 0; k <= maxRetries; k++) {
    const output = (last = await deps.generate(attempt));
    const verdict = await deps.judge.check(output);
    attempts.push({ ...attempt, verdict });
    if (!verdict.present) return { output, last: output, verification: { status: 'clean', judge: deps.judge.id, retries: k }, attempts };
    attempt = { seed: nextSeed(attempt.seed), switchStep: 0, seen: describeSeen(verdict) };
  }
  const reason = `${deps.judge.id} still saw ${describeSeen(attempts.at(-1)!.verdict!)} after ${maxRetries} regeneration${maxRetries === 1 ? '' : 's'} with the rewrite from step 0, so no image is shown.`;
  return { output: null, last: last!, verification: { status: 'refused', judge: deps.judge.id, retries: maxRetries, reason }, attempts };
}
