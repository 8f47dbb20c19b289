import * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generate } from '../../src/engine/generate.ts';
import type { LoadedModel } from '../../src/engine/loadModel.ts';
import { METHODS } from '../../src/core/tin/methods.ts';
import { loadFixture, publicDir } from './helpers/engine.ts';

/** diffusers' StableDiffusionPipelineSafe guidance, transcribed element by element. */
function sldReference(mo: Float32Array, momentum: Float32Array, [w, k, thr, ms, beta, apply]: number[]) {
  const n = momentum.length;
  const guided = new Float32Array(n);
  const next = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const [u, t, s] = [mo[i]!, mo[n + i]!, mo[2 * n + i]!];
    let g = t - u;
    const scale = t - s >= thr! ? 0 : Math.min(Math.abs(t - s) * k!, 1);
    const gs = (s - u) * scale + ms! * momentum[i]!;
    next[i] = beta! * momentum[i]! + (1 - beta!) * gs;
    if (apply) g -= gs;
    guided[i] = u + w! * g;
  }
  return { guided, next };
}

describe('SLD (safe latent diffusion) guidance', () => {
  test('the sld_guidance graph matches diffusers formula', async () => {
    const session = await ort.InferenceSession.create(readFileSync(publicDir + 'graphs/sld_guidance.onnx'));
    const n = 2 * 4 * 4;
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.05;
    const mo = Float32Array.from({ length: 3 * n }, rand);
    const mom = Float32Array.from({ length: n }, rand);
    for (const apply of [0, 1]) {
      const params = [5, 1000, 0.01, 0.3, 0.4, apply];
      const out = await session.run({
        model_output: new ort.Tensor('float32', mo, [3, 2, 4, 4]),
        momentum: new ort.Tensor('float32', mom, [1, 2, 4, 4]),
        params: new ort.Tensor('float32', Float32Array.from(params), [6]),
      });
      const ref = sldReference(mo, mom, params);
      const g = out.guided!.data as Float32Array;
      const m = out.next_momentum!.data as Float32Array;
      for (let i = 0; i < n; i++) {
        expect(g[i]).toBeCloseTo(ref.guided[i]!, 5);
        expect(m[i]).toBeCloseTo(ref.next[i]!, 5);
      }
    }
    await session.release();
  });

  describe('in the sampling loop (tiny SD fixture)', () => {
    let model: LoadedModel;
    beforeAll(async () => {
      model = await loadFixture('tiny-sd');
    });
    afterAll(() => model.release());
    const input = { query: 'a red cat', concepts: ['red'], steps: 6, switchStep: 2, rewritten: 'a blue cat' };

    test('SLD runs a batch of 3, records the safety concept where it applied, and changes the image after warmup', async () => {
      const unetBatches: number[] = [];
      const b = model.backend;
      const unet = b.unet.bind(b);
      b.unet = (s, t, c) => (unetBatches.push(s.dims[0]!), unet(s, t, c));
      try {
        const sld = await generate(model, { prompt: input.query, seed: 3, steps: 6, schedule: METHODS.sld.schedule(input) });
        expect(unetBatches).toEqual([3, 3, 3, 3, 3, 3]);
        expect(sld.trace.map((t) => t.safetyApplied)).toEqual([false, true, true, true, true, true]); // warmup round(0.14*6) = 1
        expect(sld.trace.every((t) => t.safetyText === 'red')).toBe(true);
        const plain = await generate(model, { prompt: input.query, seed: 3, steps: 6 });
        expect(Buffer.from(sld.image.data).equals(Buffer.from(plain.image.data))).toBe(false);
        expect(sld.readbacks).toBe(1);
      } finally {
        b.unet = unet;
      }
    });

    test('with the warmup at T, SLD leaves the image as plain CFG makes it', async () => {
      const schedule = METHODS.sld.schedule(input);
      const never = await generate(model, { prompt: input.query, seed: 4, steps: 6, schedule: { ...schedule, safety: { ...schedule.safety!, warmup: 6 } } });
      const plain = await generate(model, { prompt: input.query, seed: 4, steps: 6 });
      const diff = Array.from(never.image.data).reduce((m, v, i) => Math.max(m, Math.abs(v - plain.image.data[i]!)), 0);
      expect(diff).toBeLessThanOrEqual(1);
    });

    test('TIN + SLD switches the prompt at S and applies SLD from S', async () => {
      const r = await generate(model, { prompt: input.query, seed: 3, steps: 6, schedule: METHODS['tin-sld'].schedule(input) });
      expect(r.trace.map((t) => [t.promptText, t.safetyApplied])).toEqual([
        ['a red cat', false],
        ['a red cat', false],
        ...Array(4).fill(['a blue cat', true]),
      ]);
    });

    test('SLD needs classifier-free guidance', async () => {
      await expect(generate(model, { prompt: 'a red cat', seed: 1, steps: 3, guidanceScale: 1, schedule: METHODS.sld.schedule({ ...input, steps: 3 }) })).rejects.toMatchObject({ code: 'sld-needs-cfg' });
    });
  });
});
