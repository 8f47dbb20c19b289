import { describe, expect, it } from 'vitest';
import type { ImageVerdict } from '../../src/core/judge/types.ts';
import { describeVerification, generateVerified, nextSeed, type VerifyAttempt } from '../../src/core/policy/verify.ts';

const verdict = (present: boolean): ImageVerdict => ({ present, concepts: [{ concept: 'red', present, detail: present ? 'colour: judged red (p=0.91)' : 'colour: judged blue' }] });

/** A fake judge that flags the first `flagged` images it sees. */
function run(flagged: number, maxRetries?: number) {
  const made: VerifyAttempt[] = [];
  let judged = 0;
  const result = generateVerified(
    {
      generate: async (a) => (made.push(a), `image ${made.length}`),
      judge: { id: 'world-judge test', check: async () => verdict(judged++ < flagged) },
    },
    { seed: 41, switchStep: 3 },
    maxRetries,
  );
  return { made, result };
}

describe('output verification', () => {
  it('a clean first image is shown as it is', async () => {
    const { made, result } = run(0);
    const r = await result;
    expect(r.output).toBe('image 1');
    expect(r.verification).toEqual({ status: 'clean', judge: 'world-judge test', retries: 0 });
    expect(made).toEqual([{ seed: 41, switchStep: 3 }]);
    expect(describeVerification(r.verification)).toBe('checked by world-judge test: clean');
  });

  it('a flagged first image leads to one retry with S = 0 and the next seed', async () => {
    const { made, result } = run(1);
    const r = await result;
    expect(made).toEqual([{ seed: 41, switchStep: 3 }, { seed: 42, switchStep: 0, seen: '"red" (colour: judged red (p=0.91))' }]);
    expect(r.output).toBe('image 2');
    expect(describeVerification(r.verification)).toBe('checked by world-judge test: clean after 1 regeneration');
    expect(r.attempts.map((a) => a.verdict?.present)).toEqual([true, false]);
  });

  it('a judge that always flags leads to a refusal that names the concept and the judge, and no image', async () => {
    const { made, result } = run(99);
    const r = await result;
    expect(made).toHaveLength(3); // the image and 2 retries (the default)
    expect(r.output).toBeNull();
    expect(r.verification.status).toBe('refused');
    expect(describeVerification(r.verification)).toMatch(/^refused: world-judge test still saw "red" \(colour: judged red \(p=0.91\)\) after 2 regenerations/);
    expect((await run(99, 0).result).attempts).toHaveLength(1);
  });

  it('no judge: the image is shown and says it was not checked', async () => {
    const r = await generateVerified({ generate: async () => 'img', judge: null, uncheckedReason: 'no judge for SD-Turbo' }, { seed: 1, switchStep: 3 });
    expect(r.output).toBe('img');
    expect(describeVerification(r.verification)).toBe('not checked: no judge for SD-Turbo');
  });

  it('the next seed wraps inside 32 bits', () => {
    expect(nextSeed(0xffffffff)).toBe(0);
  });
});
