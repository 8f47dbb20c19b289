// The few numpy behaviours diffusers' set_timesteps depends on, reproduced exactly so our timesteps are
// bit-identical to diffusers' (including its quirks).

/** numpy's round(): halves go to the even neighbour (JS Math.round sends them up). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** np.linspace(start, stop, num): start + i*step, last element forced to stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/**
 * np.arange(start, stop, step) for floats: length ceil((stop-start)/step) and values start + i*delta with
 * delta = (start+step) - start. The ceil is why np.arange(1000, 0, -1000/61) has 62 elements.
 */
export function arange(start: number, stop: number, step: number): number[] {
  const length = Math.max(0, Math.ceil((stop - start) / step));
  const delta = start + step - start;
  return Array.from({ length }, (_, i) => (i === 1 ? start + step : start + i * delta));
}

/** np.interp(x, arange(fp.length), fp): linear between integer knots, clamped at both ends. */
export function interpUnit(x: number, fp: ArrayLike<number>): number {
  const last = fp.length - 1;
  if (x >= last) return fp[last]!;
  if (x < 0) return fp[0]!;
  const j = Math.floor(x);
  const y = fp[j]!;
  return j === x ? y : (fp[j + 1]! - y) * (x - j) + y;
}
