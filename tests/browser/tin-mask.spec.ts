import { expect, test } from '@playwright/test';
import { maskedStepReference } from '../unit/helpers/maskedStepReference.ts';

type Out = Record<string, { data: number[]; dims: number[] }>;

test('the masked_step helper graph matches the TypeScript reference within 1e-5 on WebGPU', async ({ page }) => {
  await page.goto('/tests/browser/harness.html');
  await expect(page).toHaveTitle('ready');
  const [C, H, W] = [3, 5, 6];
  const n = C * H * W;
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  const f = (len: number) => Float32Array.from({ length: len }, rand);
  const x = f(n), xe = f(n), mo = f(5 * n), noise = f(n), acc = Float32Array.from({ length: H * W }, () => Math.abs(rand()));
  const weights = [-4, 5], params = [0.4, 0.2, 2], coeffs = [0.9, -0.3, 0.05, 0.7, 1.1, -0.4];
  const inputs = {
    sample: { data: Array.from(x), dims: [1, C, H, W] }, edit_sample: { data: Array.from(xe), dims: [1, C, H, W] },
    model_output: { data: Array.from(mo), dims: [5, C, H, W] }, noise: { data: Array.from(noise), dims: [1, C, H, W] },
    weights: { data: weights, dims: [2] }, accumulated: { data: Array.from(acc), dims: [1, 1, H, W] }, params: { data: params, dims: [3] },
    coeffs: { data: coeffs, dims: [6] }, unet_shape: { data: [3, C, H, W], dims: [4], int64: true }, edit_shape: { data: [2, C, H, W], dims: [4], int64: true },
  };
  const out = await page.evaluate((o) => (window as unknown as { harness: { helperGraph: (o: object) => Promise<Out> } }).harness.helperGraph(o), { file: 'masked_step.onnx', inputs });
  const ref = maskedStepReference(x, xe, mo, noise, weights, acc, params, coeffs, C, H, W);
  const worst = (a: number[], b: ArrayLike<number>) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  expect(Math.max(...out.mask!.data)).toBeGreaterThan(0);
  expect(Math.min(...out.mask!.data)).toBe(0);
  expect(worst(out.mask!.data, ref.mask)).toBeLessThanOrEqual(1e-5);
  expect(worst(out.next_accumulated!.data, ref.nextAcc)).toBeLessThanOrEqual(1e-5);
  expect(worst(out.next_sample!.data, ref.next)).toBeLessThanOrEqual(1e-5);
  expect(worst(out.next_edit!.data, ref.nextEdit)).toBeLessThanOrEqual(1e-5);
  expect(worst(out.denoised!.data, ref.denoised)).toBeLessThanOrEqual(1e-5);
  expect(out.next_unet_input!.dims).toEqual([5, C, H, W]);
});
