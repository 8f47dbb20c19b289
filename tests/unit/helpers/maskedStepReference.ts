/** public/graphs/masked_step.onnx, transcribed element by element in plain TypeScript (float64). */
export function maskedStepReference(
  x: Float32Array, xe: Float32Array, mo: Float32Array, noise: Float32Array, [w0, w1]: number[], acc: Float32Array,
  [thr, ramp, k]: number[], [a, b, c, , p, q]: number[], C: number, H: number, W: number,
) {
  const n = C * H * W;
  const at = (batch: number, i: number) => mo[batch * n + i]!;
  const next = new Float64Array(n), nextEdit = new Float64Array(n), denoised = new Float64Array(n);
  const d = new Float64Array(H * W);
  const epsE = new Float64Array(n), nextR = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const epsO = w0! * at(0, i) + w1! * at(1, i);
    epsE[i] = w0! * at(3, i) + w1! * at(4, i);
    next[i] = a! * x[i]! + b! * epsO + c! * noise[i]!;
    nextR[i] = a! * xe[i]! + b! * epsE[i]! + c! * noise[i]!;
    denoised[i] = p! * xe[i]! + q! * epsE[i]!;
    d[i % (H * W)]! += Math.abs(at(2, i) - at(1, i)) / C;
  }
  const kernel = [1, 2, 1];
  const smooth = new Float64Array(H * W);
  for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
    let s = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const yy = y + dy, x2 = xx + dx;
      if (yy >= 0 && yy < H && x2 >= 0 && x2 < W) s += (kernel[dy + 1]! * kernel[dx + 1]! / 16) * d[yy * W + x2]!;
    }
    smooth[y * W + xx] = s;
  }
  const peak = Math.max(...smooth) + 1e-12;
  const nextAcc = new Float64Array(H * W), mask = new Float64Array(H * W);
  for (let j = 0; j < H * W; j++) {
    nextAcc[j] = acc[j]! + smooth[j]! / peak;
    mask[j] = Math.min(1, Math.max(0, (nextAcc[j]! / k! - thr!) / ramp! + 0.5));
  }
  for (let i = 0; i < n; i++) nextEdit[i] = next[i]! + mask[i % (H * W)]! * (nextR[i]! - next[i]!);
  return { next, nextEdit, denoised, nextAcc, mask };
}
