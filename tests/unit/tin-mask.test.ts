import * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { validateSchedule } from '../../src/core/pipeline/schedule.ts';
import { maskedSchedule, METHODS, TIN_MASK } from '../../src/core/tin/methods.ts';
import { generate } from '../../src/engine/generate.ts';
import type { LoadedModel } from '../../src/engine/loadModel.ts';
import { loadAppModel, loadFixture, publicDir } from './helpers/engine.ts';
import { maskedStepReference } from './helpers/maskedStepReference.ts';

function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe('the masked_step helper graph', () => {
  test('matches the plain TypeScript reference within 1e-5 (WASM)', async () => {
    const session = await ort.InferenceSession.create(readFileSync(publicDir + 'graphs/masked_step.onnx'));
    const [C, H, W] = [3, 5, 6];
    const n = C * H * W;
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    const f = (len: number) => Float32Array.from({ length: len }, rand);
    const x = f(n), xe = f(n), mo = f(5 * n), noise = f(n), acc = Float32Array.from({ length: H * W }, () => Math.abs(rand()));
    const weights = [-4, 5], params = [0.4, 0.2, 2], coeffs = [0.9, -0.3, 0.05, 0.7, 1.1, -0.4];
    const t = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);
    const shape = (batch: number) => new ort.Tensor('int64', BigInt64Array.from([batch, C, H, W].map(BigInt)), [4]);
    const out = await session.run({
      sample: t(x, [1, C, H, W]), edit_sample: t(xe, [1, C, H, W]), model_output: t(mo, [5, C, H, W]), noise: t(noise, [1, C, H, W]),
      weights: t(Float32Array.from(weights), [2]), accumulated: t(acc, [1, 1, H, W]), params: t(Float32Array.from(params), [3]),
      coeffs: t(Float32Array.from(coeffs), [6]), unet_shape: shape(3), edit_shape: shape(2),
    });
    const ref = maskedStepReference(x, xe, mo, noise, weights, acc, params, coeffs, C, H, W);
    const mask = out.mask!.data as Float32Array;
    // The mask is neither empty nor full here, so the blend is really tested.
    expect(Math.min(...mask)).toBe(0);
    expect(Math.max(...mask)).toBeGreaterThan(0);
    closeTo(mask, ref.mask, 1e-5);
    closeTo(out.next_accumulated!.data as Float32Array, ref.nextAcc, 1e-5);
    closeTo(out.next_sample!.data as Float32Array, ref.next, 1e-5);
    closeTo(out.next_edit!.data as Float32Array, ref.nextEdit, 1e-5);
    closeTo(out.denoised!.data as Float32Array, ref.denoised, 1e-5);
    const unetIn = out.next_unet_input!.data as Float32Array;
    expect(out.next_unet_input!.dims).toEqual([5, C, H, W]);
    for (let k = 0; k < 5; k++) closeTo(unetIn.subarray(k * n, (k + 1) * n), Array.from(k < 3 ? ref.next : ref.nextEdit, (v) => v * coeffs[3]!), 1e-5);
    await session.release();
  });
});

describe('tin-mask in the sampling loop', () => {
  const input = { query: 'a red cat', concepts: ['red'], steps: 6, switchStep: 2, rewritten: 'a blue cat' };
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadFixture('tiny-sd');
  });
  afterAll(() => model.release());

  test('on a Stable Diffusion UNet: batch 2 before S, 5 from S; u\' recorded from S; one readback; a different image', async () => {
    const batches: number[] = [];
    const b = model.backend;
    const unet = b.unet.bind(b);
    b.unet = (s, t, c) => (batches.push(s.dims[0]!), unet(s, t, c));
    try {
      const r = await generate(model, { prompt: input.query, seed: 3, steps: 6, schedule: METHODS['tin-mask'].schedule(input) });
      expect(batches).toEqual([2, 2, 5, 5, 5, 5]);
      expect(r.trace.map((t) => [t.promptText, t.maskText])).toEqual([['a red cat', undefined], ['a red cat', undefined], ...Array(4).fill(['a red cat', 'a blue cat'])]);
      expect(r.readbacks).toBe(1);
      const plain = await generate(model, { prompt: input.query, seed: 3, steps: 6 });
      expect(Buffer.from(r.image.data).equals(Buffer.from(plain.image.data))).toBe(false);
    } finally {
      b.unet = unet;
    }
  });

  test("with u' = u the mask is all zero and the image is exactly ORIGINAL's", async () => {
    const masks: Float32Array[] = [];
    const same = await generate(model, { prompt: input.query, seed: 5, steps: 6, schedule: maskedSchedule(6, 2, input.query, input.query), previewEvery: 1 }, {
      onMask: (_step, m) => void masks.push(m.data),
    });
    const original = await generate(model, { prompt: input.query, seed: 5, steps: 6 });
    expect(masks).toHaveLength(3); // steps 3..5 (no preview after the last step)
    expect(masks.every((m) => m.length === 64 && m.every((v) => v === 0))).toBe(true);
    expect(Buffer.from(same.image.data).equals(Buffer.from(original.image.data))).toBe(true);
  });

  test('the per-step mask is read only when previews are asked for, and each read is counted', async () => {
    let masks = 0;
    const r = await generate(model, { prompt: input.query, seed: 3, steps: 6, schedule: METHODS['tin-mask'].schedule(input), previewEvery: 2 }, {
      onMask: () => void masks++,
      onPreview: () => undefined,
    });
    // Previews after steps 2 and 4 (not after the last); only step 4 is masked (S = 2: steps 3..6).
    expect(masks).toBe(1);
    expect(r.readbacks).toBe(1 + 2 + 1);
  });

  test('bad mask settings get specific errors', async () => {
    const s = METHODS['tin-mask'].schedule(input);
    expect(() => validateSchedule({ ...s, mask: { ...s.mask!, threshold: 2 } }, 6)).toThrow(/threshold must be between 0 and 1/);
    expect(() => validateSchedule({ ...s, mask: { ...s.mask!, ramp: 0 } }, 6)).toThrow(/ramp must be a positive number/);
    expect(() => validateSchedule({ ...s, mask: { ...s.mask!, prompt: 9 } }, 6)).toThrow(/names prompt 9/);
    expect(() => validateSchedule({ ...s, mask: { ...s.mask!, from: 7 } }, 6)).toThrow(/from 0 to 6/);
    const sld = METHODS.sld.schedule(input);
    expect(() => validateSchedule({ ...s, safety: sld.safety }, 6)).toThrow(/both safety guidance/);
    await expect(generate(model, { prompt: input.query, seed: 1, steps: 6, guidanceScale: 1, schedule: s })).rejects.toMatchObject({ code: 'mask-needs-cfg' });
  });

  test('tin-mask is a switching method with the tuned mask settings', () => {
    const s = METHODS['tin-mask'].schedule(input);
    expect(METHODS['tin-mask'].usesSwitch).toBe(true);
    expect(s.mask).toEqual({ prompt: 2, from: 2, ...TIN_MASK });
    expect(s.steps.every((x) => s.prompts[x.prompt] === input.query)).toBe(true);
  });
});

describe('tin-mask on the embedded model', () => {
  test("with u' = u: exactly ORIGINAL's image", async () => {
    const model = await loadAppModel('ores-tiny-world');
    try {
      const q = 'a red circle on a gray background';
      const same = await generate(model, { prompt: q, seed: 2, schedule: maskedSchedule(20, 3, q, q) });
      const original = await generate(model, { prompt: q, seed: 2 });
      expect(Buffer.from(same.image.data).equals(Buffer.from(original.image.data))).toBe(true);
      expect(same.readbacks).toBe(1);
    } finally {
      await model.release();
    }
  });
});
