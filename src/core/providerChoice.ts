/**
 * Which execution provider runs a model on this device, decided from measured step times: a
 * 2 M-parameter UNet can run faster on WASM than on a GPU, Stable Diffusion on WebGPU. The choice
 * is remembered per device and model (the page keeps it); a user's choice overrides it.
 */
import type { Provider } from './capabilities.ts';

export interface ProviderTiming {
  readonly provider: Provider;
  /** One warm step (UNet and scheduler update), in milliseconds. */
  readonly msPerStep: number;
}

/** A past decision, as remembered between visits. */
export interface RememberedProvider {
  readonly deviceKey: string;
  readonly modelId: string;
  readonly provider: Provider;
  readonly timings: readonly ProviderTiming[];
}

export interface ProviderDecision {
  readonly provider: Provider;
  /** user: asked for; measured: timed now; remembered: timed on an earlier visit; only: no other provider can run it. */
  readonly source: 'user' | 'measured' | 'remembered' | 'only';
  readonly timings: readonly ProviderTiming[];
  /** One line for the status bar. */
  readonly reason: string;
}

/** What to do at load: use a provider now, or time each candidate first and then `pickFastest`. */
export type ProviderPlan = { readonly use: ProviderDecision } | { readonly measure: readonly Provider[] };

const NAMES: Record<Provider, string> = { webgpu: 'WebGPU', wasm: 'WASM' };

/**
 * @param candidates providers that can run this model here (capabilities already checked), preferred first
 */
export function planProvider(o: {
  candidates: readonly Provider[];
  deviceKey: string;
  modelId: string;
  override?: Provider;
  remembered?: RememberedProvider;
}): ProviderPlan {
  if (o.candidates.length === 0) throw new Error('planProvider needs at least one candidate provider');
  if (o.override) return { use: { provider: o.override, source: 'user', timings: [], reason: `${NAMES[o.override]}: chosen in the settings` } };
  if (o.candidates.length === 1) {
    const only = o.candidates[0]!;
    return { use: { provider: only, source: 'only', timings: [], reason: `${NAMES[only]}: the only provider that can run this model here` } };
  }
  const r = o.remembered;
  if (r && r.deviceKey === o.deviceKey && r.modelId === o.modelId && o.candidates.includes(r.provider)) {
    return { use: { provider: r.provider, source: 'remembered', timings: r.timings, reason: `${compare(r.provider, r.timings)} (measured earlier)` } };
  }
  return { measure: o.candidates };
}

/** The faster of the measured providers; a tie keeps the earlier (preferred) one. */
export function pickFastest(timings: readonly ProviderTiming[]): ProviderDecision {
  const usable = timings.filter((t) => Number.isFinite(t.msPerStep) && t.msPerStep >= 0);
  if (usable.length === 0) throw new Error('pickFastest needs at least one finite timing');
  const best = usable.reduce((a, b) => (b.msPerStep < a.msPerStep ? b : a));
  return { provider: best.provider, source: 'measured', timings, reason: compare(best.provider, timings) };
}

/** "WASM: 12 ms/step vs WebGPU 40 ms/step on this device" */
function compare(chosen: Provider, timings: readonly ProviderTiming[]): string {
  const ms = (t: ProviderTiming) => `${t.msPerStep < 10 ? t.msPerStep.toFixed(1) : Math.round(t.msPerStep)} ms/step`;
  const own = timings.find((t) => t.provider === chosen);
  const others = timings.filter((t) => t.provider !== chosen).map((t) => `${NAMES[t.provider]} ${ms(t)}`);
  return `${NAMES[chosen]}: ${own ? ms(own) : 'chosen'}${others.length ? ` vs ${others.join(', ')}` : ''} on this device`;
}

/** What identifies "this device" for a remembered choice: the GPU adapter and the CPU's thread count. */
export function deviceKey(adapter: string | undefined, hardwareConcurrency: number | undefined): string {
  return `${adapter ?? 'no-gpu'}|${hardwareConcurrency ?? 0} threads`;
}
