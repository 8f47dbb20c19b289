import { asOresError, CancelledError, InvalidInputError } from '../errors.ts';
import type { Scheduler } from '../schedulers/types.ts';
import type { DiffusionBackend, Handle } from './backend.ts';
import { decoderOutputToRgba, type RgbaImage } from './image.ts';
import type { Progress } from './progress.ts';
import { validateSchedule, type ConditioningSchedule } from './schedule.ts';
import { SeededNoise } from './noise.ts';
import { guidanceError, refuse } from './inputChecks.ts';
import type { PromptTokenizer } from './tokens.ts';

export interface SampleOptions {
  schedule: ConditioningSchedule;
  steps: number;
  /** Classifier-free guidance scale; above 1 the UNet runs on a batch of 2 (negative, prompt). */
  guidanceScale: number;
  seed: number;
  /** Decode and report the current x0 estimate every k steps (each one is a readback). */
  previewEvery?: number;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  onPreview?: (step: number, image: RgbaImage) => void;
  /**
   * tin-mask: the mask of each masked step, values in [0,1] over the latent grid (where u' conditioned
   * the step), reported with the previews (every `previewEvery` steps); each is one more readback.
   */
  onMask?: (step: number, mask: LatentMask) => void;
}

/** One step's mask: row-major, height x width of the latent grid. */
export interface LatentMask {
  data: Float32Array;
  height: number;
  width: number;
}

/** What conditioned one step: the record that goes with every result. */
export interface StepRecord {
  step: number;
  timestep: number;
  prompt: number;
  negative: number;
  promptText: string;
  negativeText: string;
  /** With safety guidance (SLD): the safety concept, and whether the guidance applied at this step. */
  safetyText?: string;
  safetyApplied?: boolean;
  /** With a mask (tin-mask): u', which conditioned this step inside the mask. */
  maskText?: string;
}

export interface SampleResult {
  image: RgbaImage;
  trace: StepRecord[];
  /** Prompts whose tokens were cut at the encoder's window. */
  truncatedPrompts: string[];
  readbacks: number;
  /** Per step: wall time, and the part of it spent inside the runtime (the rest is JS overhead). */
  timings: { encodeMs: number; denoiseMs: number; decodeMs: number; stepMs: number[]; stepRuntimeMs: number[] };
}

function checkOptions(o: SampleOptions): void {
  refuse(guidanceError(o.guidanceScale));
  if (o.previewEvery !== undefined && (!Number.isInteger(o.previewEvery) || o.previewEvery < 1)) {
    throw new InvalidInputError('bad-preview', `Previews must come every k >= 1 steps, got ${o.previewEvery}.`);
  }
  validateSchedule(o.schedule, o.steps);
  if (o.schedule.safety && !(o.guidanceScale > 1)) {
    throw new InvalidInputError('sld-needs-cfg', `Safety guidance (SLD) works on top of classifier-free guidance: the guidance scale must be above 1, got ${o.guidanceScale}.`);
  }
  if (o.schedule.mask && !(o.guidanceScale > 1)) {
    throw new InvalidInputError('mask-needs-cfg', `The masked intervention (tin-mask) works on top of classifier-free guidance: the guidance scale must be above 1, got ${o.guidanceScale}.`);
  }
}

/**
 * The sampling loop. The caller's schedule says which prompt conditions each step, so TIN's switch
 * at step S is just a schedule; a prompt given as a function (the rewrite still being written) is
 * awaited only when the first step that needs it arrives.
 */
export async function sample(
  backend: DiffusionBackend,
  tokenizer: PromptTokenizer,
  scheduler: Scheduler,
  o: SampleOptions,
): Promise<SampleResult> {
  checkOptions(o);
  const noise = new SeededNoise(o.seed);
  scheduler.setTimesteps(o.steps);
  const cfg = o.guidanceScale > 1;
  const sld = o.schedule.safety;
  if (sld && !backend.sldGuide) throw new InvalidInputError('sld-unsupported', 'This runtime has no safety guidance (SLD).');
  const mask = o.schedule.mask;
  if (mask && !backend.maskedStep) throw new InvalidInputError('mask-unsupported', 'This runtime has no masked intervention (tin-mask).');
  const masked = (i: number) => !!mask && i >= mask.from;
  // From the mask's first step one UNet batch holds both trajectories: (negative, u, u') on ORIGINAL's
  // latents (u' there only for the mask), (negative, u') on the edit's.
  const batchAt = (i: number) => (masked(i) ? 5 : sld ? 3 : cfg ? 2 : 1);
  const g = backend.geometry;
  const latentDims = [1, g.latentChannels, g.latentHeight, g.latentWidth];
  const latentSize = g.latentChannels * g.latentHeight * g.latentWidth;
  const readbacksBefore = backend.readbacks;
  const owned = new Set<Handle>();
  const keep = <T extends Handle>(h: T): T => (owned.add(h), h);
  const drop = (h: Handle) => {
    if (owned.delete(h)) backend.release(h);
  };
  const texts = new Map<number, Promise<string>>();
  const embeddings = new Map<string, Promise<Handle>>();
  const contexts = new Map<string, Promise<Handle>>();
  const truncated: string[] = [];
  let encodeMs = 0;

  const textOf = (index: number): Promise<string> => {
    let t = texts.get(index);
    if (!t) {
      const source = o.schedule.prompts[index]!;
      // A rewrite that fails in any way (thrown or rejected) stops the loop with a code the page explains.
      const failed = (e: unknown): never => {
        throw asOresError(e, 'rewrite-failed', 'The rewrite failed: ');
      };
      t = typeof source === 'string' ? Promise.resolve(source) : new Promise<string>((ok) => ok(source())).catch(failed);
      texts.set(index, t);
    }
    return t;
  };
  const embed = (text: string): Promise<Handle> => {
    let e = embeddings.get(text);
    if (!e) {
      const tokens = tokenizer.tokenize(text);
      if (tokens.truncated) truncated.push(text);
      const t0 = performance.now();
      e = backend.encodeText(tokens.ids).then((h) => ((encodeMs += performance.now() - t0), keep(h)));
      embeddings.set(text, e);
    }
    return e;
  };
  const contextFor = async (prompt: number, negative: number, withMask = false): Promise<[Handle, string, string]> => {
    const promptText = await textOf(prompt);
    const negativeText = cfg ? await textOf(negative) : '';
    const safetyText = sld ? await textOf(sld.prompt) : null;
    const maskText = withMask ? await textOf(mask!.prompt) : null;
    const key = JSON.stringify([cfg ? negativeText : null, promptText, safetyText, maskText]);
    let c = contexts.get(key);
    if (!c) {
      c = maskText !== null
        ? Promise.all([embed(negativeText), embed(promptText), embed(maskText), embed(negativeText), embed(maskText)]).then(async (parts) => keep(await backend.stack(parts)))
        : safetyText !== null
        ? Promise.all([embed(negativeText), embed(promptText), embed(safetyText)]).then(async (parts) => keep(await backend.stack(parts)))
        : cfg
        ? Promise.all([embed(negativeText), embed(promptText)]).then(async (parts) => keep(await backend.stack(parts)))
        : embed(promptText);
      contexts.set(key, c);
    }
    return [await c, promptText, negativeText];
  };
  const checkCancel = () => {
    if (o.signal?.aborted) throw new CancelledError('Generation cancelled');
  };

  try {
    o.onProgress?.({ phase: 'tokenizing', percent: 0 });
    // Prompts already known are encoded up front; pending ones (the rewrite) when first needed.
    o.onProgress?.({ phase: 'encoding', percent: 0 });
    const first = o.schedule.steps[0]!;
    await contextFor(first.prompt, first.negative, masked(0));
    o.onProgress?.({ phase: 'encoding', percent: 100 });

    let latents = keep(backend.upload(noise.fill(latentSize, scheduler.initNoiseSigma), latentDims));
    let unetInput = keep(await backend.scaleExpand(latents, scheduler.scaleModelInput(0), batchAt(0)));
    const trace: StepRecord[] = [];
    // SLD's momentum, on the device like the latents.
    let momentum = sld ? keep(backend.upload(new Float32Array(latentSize), latentDims)) : null;
    // tin-mask: the edit's latents (from step S) and the running sum of the disagreement maps.
    let edit: Handle | null = null;
    let maskSum: Handle | null = null;
    const cfgWeights = [1 - o.guidanceScale, o.guidanceScale];
    const stepMs: number[] = [];
    const stepRuntimeMs: number[] = [];
    const denoiseStart = performance.now();
    for (let i = 0; i < o.steps; i++) {
      checkCancel();
      const t0 = performance.now();
      const runtime0 = backend.runtimeMs;
      const entry = o.schedule.steps[i]!;
      const [context, promptText, negativeText] = await contextFor(entry.prompt, entry.negative, masked(i));
      checkCancel();
      const timestep = scheduler.timesteps[i]!;
      let modelOutput = keep(await backend.unet(unetInput, timestep, context));
      const sldApplied = sld ? i >= sld.warmup : undefined;
      if (sld) {
        const g = await backend.sldGuide!(modelOutput, momentum!, [o.guidanceScale, sld.scale, sld.threshold, sld.momentum, sld.beta, sldApplied ? 1 : 0]);
        drop(modelOutput);
        drop(momentum!);
        modelOutput = keep(g.guided);
        momentum = keep(g.momentum);
      }
      const preview = !!o.previewEvery && (i + 1) % o.previewEvery === 0 && i + 1 < o.steps;
      const { a, b, c } = scheduler.coefficients(i);
      const { p, q } = scheduler.denoisedCoefficients(i);
      const nextScale = i + 1 < o.steps ? scheduler.scaleModelInput(i + 1) : 1;
      const stepNoise = c !== 0 ? keep(backend.upload(noise.fill(latentSize), latentDims)) : latents;
      const args = {
        sample: latents,
        modelOutput,
        noise: stepNoise,
        weights: sld ? [1] : cfg ? cfgWeights : [1],
        coeffs: [a, b, c, nextScale, p, q],
        nextBatch: batchAt(i + 1),
      };
      let denoised: Handle;
      if (masked(i)) {
        if (!edit) {
          // Step S: the edit starts from ORIGINAL's latents (the UNet input already holds them 5 times).
          edit = keep(await backend.scaleExpand(latents, 1, 1));
          maskSum = keep(backend.upload(new Float32Array(g.latentHeight * g.latentWidth), [1, 1, g.latentHeight, g.latentWidth]));
        }
        const m = await backend.maskedStep!({ ...args, nextBatch: 3, editBatch: 2, edit, accumulated: maskSum!, params: [mask!.threshold, mask!.ramp, i - mask!.from + 1] });
        for (const h of [edit, maskSum!]) drop(h);
        edit = keep(m.nextEdit);
        maskSum = keep(m.accumulated);
        const stepMask = keep(m.mask);
        if (preview && o.onMask) o.onMask(i + 1, { data: await backend.read(stepMask), height: g.latentHeight, width: g.latentWidth });
        drop(stepMask);
        for (const h of [latents, unetInput, modelOutput, stepNoise]) drop(h);
        latents = keep(m.next);
        unetInput = keep(m.unetInput);
        denoised = keep(m.denoised);
      } else {
        const out = await backend.step(args);
        for (const h of [latents, unetInput, modelOutput, stepNoise]) drop(h);
        latents = keep(out.next);
        unetInput = keep(out.unetInput);
        denoised = keep(out.denoised);
      }
      trace.push({
        step: i,
        timestep,
        prompt: entry.prompt,
        negative: entry.negative,
        promptText,
        negativeText,
        ...(sld ? { safetyText: await textOf(sld.prompt), safetyApplied: sldApplied } : {}),
        ...(masked(i) ? { maskText: await textOf(mask!.prompt) } : {}),
      });
      if (preview && o.onPreview) {
        o.onPreview(i + 1, await decodeToImage(backend, denoised, keep, drop));
      }
      drop(denoised);
      stepMs.push(performance.now() - t0);
      stepRuntimeMs.push(backend.runtimeMs - runtime0);
      o.onProgress?.({ phase: 'denoising', percent: ((i + 1) / o.steps) * 100, step: i + 1, totalSteps: o.steps });
    }
    const denoiseMs = performance.now() - denoiseStart;
    checkCancel();
    o.onProgress?.({ phase: 'decoding', percent: 0 });
    const decodeStart = performance.now();
    const image = await decodeToImage(backend, edit ?? latents, keep, drop);
    const decodeMs = performance.now() - decodeStart;
    o.onProgress?.({ phase: 'done', percent: 100 });
    return {
      image,
      trace,
      truncatedPrompts: truncated,
      readbacks: backend.readbacks - readbacksBefore,
      timings: { encodeMs, denoiseMs, decodeMs, stepMs, stepRuntimeMs },
    };
  } finally {
    // Pending encodings still settle into `owned`; wait so nothing leaks on cancel or error.
    await Promise.allSettled([...embeddings.values(), ...contexts.values()]);
    for (const h of owned) backend.release(h);
    owned.clear();
  }
}

async function decodeToImage(
  backend: DiffusionBackend,
  latents: Handle,
  keep: <T extends Handle>(h: T) => T,
  drop: (h: Handle) => void,
): Promise<RgbaImage> {
  const scaled = keep(await backend.scaleExpand(latents, 1 / backend.geometry.scalingFactor, 1));
  const decoded = keep(await backend.decode(scaled));
  drop(scaled);
  const pixels = await backend.read(decoded);
  const [, , height, width] = decoded.dims as [number, number, number, number];
  drop(decoded);
  return decoderOutputToRgba(pixels, height, width);
}
