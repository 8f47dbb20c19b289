import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as ort from 'onnxruntime-web';
import { findModel } from '../../src/core/manifest.ts';
import { chooseProvider } from '../../src/core/capabilities.ts';
import { CancelledError } from '../../src/core/errors.ts';
import { switchSchedule } from '../../src/core/pipeline/schedule.ts';
import { createClipTokenizer } from '../../src/engine/clipTokenizer.ts';
import { generate } from '../../src/engine/generate.ts';
import { loadModel, type LoadedModel } from '../../src/engine/loadModel.ts';
import { fsFetcher } from '../../src/node/fsFetcher.ts';
import { fixtureManifest, fixtureModels, loadFixture, publicDir } from './helpers/engine.ts';

let model: LoadedModel;
beforeAll(async () => {
  model = await loadFixture('tiny-sd');
});
afterAll(() => model.release());

/** Wraps the backend to count what the loop asks of it. */
function spy(m: LoadedModel) {
  const counts = { encodeText: 0, unet: 0, stack: 0 };
  const b = m.backend;
  const orig = { encodeText: b.encodeText.bind(b), unet: b.unet.bind(b), stack: b.stack.bind(b) };
  b.encodeText = (ids) => (counts.encodeText++, orig.encodeText(ids));
  b.unet = (s, t, c) => (counts.unet++, orig.unet(s, t, c));
  b.stack = (p) => (counts.stack++, orig.stack(p));
  return { counts, restore: () => Object.assign(b, orig) };
}

describe('engine on the tiny random SD fixture (Node, WASM)', () => {
  test('same seed gives the same image, another seed another image', async () => {
    const a = await generate(model, { prompt: 'a red cat', seed: 7, steps: 6 });
    const b = await generate(model, { prompt: 'a red cat', seed: 7, steps: 6 });
    const c = await generate(model, { prompt: 'a red cat', seed: 8, steps: 6 });
    expect(a.image.width).toBe(64);
    expect(a.image.height).toBe(64);
    expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
    expect(Buffer.from(a.image.data).equals(Buffer.from(c.image.data))).toBe(false);
  });

  test('one readback per image without previews; one more per preview', async () => {
    const plain = await generate(model, { prompt: 'a dog', seed: 1, steps: 20 });
    expect(plain.readbacks).toBe(1);
    const previews: number[] = [];
    const withPreviews = await generate(model, { prompt: 'a dog', seed: 1, steps: 20, previewEvery: 5 }, { onPreview: (s) => previews.push(s) });
    expect(previews).toEqual([5, 10, 15]);
    expect(withPreviews.readbacks).toBe(4);
  });

  test('a switch at step S changes exactly the steps after S', async () => {
    const S = 3;
    const T = 8;
    const collect = async (intervention?: { rewritten: string; switchStep: number }) => {
      const schedule = intervention && switchSchedule(T, intervention.switchStep, 'a red cat', intervention.rewritten);
      const frames: Uint8ClampedArray[] = [];
      const r = await generate(model, { prompt: 'a red cat', seed: 3, steps: T, previewEvery: 1, schedule }, { onPreview: (_, img) => frames.push(img.data as Uint8ClampedArray) });
      return { r, frames };
    };
    const base = await collect();
    const switched = await collect({ rewritten: 'a blue dog', switchStep: S });
    expect(switched.r.trace.map((t) => t.promptText)).toEqual([...Array(S).fill('a red cat'), ...Array(T - S).fill('a blue dog')]);
    // Preview k shows the x0 estimate after step k-1: identical while the steps used the same prompt.
    for (let k = 0; k < S; k++) expect(Buffer.from(switched.frames[k]!).equals(Buffer.from(base.frames[k]!))).toBe(true);
    for (let k = S; k < T - 1; k++) expect(Buffer.from(switched.frames[k]!).equals(Buffer.from(base.frames[k]!))).toBe(false);
  });

  test('each distinct prompt is encoded once, each (negative, prompt) pair stacked once', async () => {
    const s = spy(model);
    try {
      await generate(model, { prompt: 'a red cat', seed: 2, steps: 10, schedule: switchSchedule(10, 4, 'a red cat', 'a blue cat', 'green') });
      expect(s.counts).toEqual({ encodeText: 3, unet: 10, stack: 2 });
    } finally {
      s.restore();
    }
  });

  test('guidance 1 or less runs the UNet on one conditioning only', async () => {
    const s = spy(model);
    try {
      const r = await generate(model, { prompt: 'a red cat', negativePrompt: 'green', seed: 2, steps: 3, guidanceScale: 1 });
      expect(s.counts).toEqual({ encodeText: 1, unet: 3, stack: 0 });
      expect(r.trace.every((t) => t.negativeText === '')).toBe(true);
    } finally {
      s.restore();
    }
  });

  test('a pending rewrite is awaited only at step S', async () => {
    const S = 4;
    let stepsWhenAsked = -1;
    let done = 0;
    let resolveRewrite!: (t: string) => void;
    const rewrite = new Promise<string>((r) => (resolveRewrite = r));
    const r = await generate(
      model,
      {
        prompt: 'a red cat',
        seed: 5,
        steps: 10,
        schedule: switchSchedule(10, S, 'a red cat', () => {
          stepsWhenAsked = done;
          setTimeout(() => resolveRewrite('a green dog'), 20);
          return rewrite;
        }),
      },
      { onProgress: (p) => p.phase === 'denoising' && (done = p.step!) },
    );
    expect(stepsWhenAsked).toBe(S);
    expect(r.trace[S]!.promptText).toBe('a green dog');
    expect(r.trace[S - 1]!.promptText).toBe('a red cat');
  });

  test('cancel stops within one step', async () => {
    const abort = new AbortController();
    const s = spy(model);
    try {
      const run = generate(model, { prompt: 'a red cat', seed: 1, steps: 20 }, {
        signal: abort.signal,
        onProgress: (p) => p.step === 3 && abort.abort(),
      });
      await expect(run).rejects.toBeInstanceOf(CancelledError);
      expect(s.counts.unet).toBe(3);
    } finally {
      s.restore();
    }
  });

  test('long prompts are truncated to 77 tokens and reported', async () => {
    const long = Array(100).fill('red').join(' ');
    const r = await generate(model, { prompt: long, seed: 1, steps: 2 });
    expect(r.truncatedPrompts).toEqual([long]);
  });

  test('Euler ancestral with seeded per-step noise is deterministic', async () => {
    const m = await loadFixture('tiny-sd-euler-a');
    try {
      const a = await generate(m, { prompt: 'a cat', seed: 11 });
      const b = await generate(m, { prompt: 'a cat', seed: 11 });
      expect(a.trace).toHaveLength(4);
      expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
    } finally {
      await m.release();
    }
  });
});

describe('bad input gets a clear, specific error', () => {
  const expectCode = async (p: Promise<unknown>, code: string, text: RegExp) => {
    await expect(p).rejects.toMatchObject({ code });
    await expect(p).rejects.toThrow(text);
  };

  test('unknown model id', () => {
    expect(() => findModel(fixtureManifest, 'nope')).toThrow(/Unknown model "nope".*tiny-sd/);
  });
  test('missing model file', async () => {
    await expectCode(loadFixture('tiny-sd-missing'), 'model-file-missing', /unet\/missing\.onnx/);
  });
  test('corrupt model file', async () => {
    await expectCode(loadFixture('tiny-sd-corrupt'), 'model-file-corrupt', /UNet .* could not be opened as an ONNX model/);
  });
  test('empty prompt', async () => {
    await expectCode(generate(model, { prompt: '   ', seed: 1 }), 'empty-prompt', /prompt is empty/);
  });
  test('steps 0 and above the limit', async () => {
    await expectCode(generate(model, { prompt: 'a cat', seed: 1, steps: 0 }), 'steps-out-of-range', /from 1 to 999.*got 0/);
    await expectCode(generate(model, { prompt: 'a cat', seed: 1, steps: 1001 }), 'steps-out-of-range', /got 1001/);
  });
  test("steps its scheduler cannot run are refused before any work, though the manifest allows them", async () => {
    // tiny-sd: DDIM with steps_offset 1 over 1000 train timesteps; 1000 steps would reach timestep 1000.
    expect(findModel(fixtureManifest, 'tiny-sd').maxSteps).toBe(1000);
    expect(model.entry.maxSteps).toBe(999);
    const { counts, restore } = spy(model);
    await expectCode(generate(model, { prompt: 'a cat', seed: 1, steps: 1000 }), 'steps-out-of-range', /from 1 to 999 for "[^"]+", got 1000\./);
    restore();
    expect(counts).toEqual({ encodeText: 0, unet: 0, stack: 0 });
  });
  test('guidance outside 0..50, the limits the page uses too (1e30 used to pass the engine)', async () => {
    await expectCode(generate(model, { prompt: 'a cat', seed: 1, steps: 2, guidanceScale: 1e30 }), 'bad-guidance', /from 0 to 50, got 1e\+30/);
    await expectCode(generate(model, { prompt: 'a cat', seed: 1, steps: 2, guidanceScale: -1 }), 'bad-guidance', /from 0 to 50/);
  });
  test('switch step outside 0..T', async () => {
    expect(() => switchSchedule(10, 11, 'a cat', 'a dog')).toThrow(expect.objectContaining({ code: 'switch-out-of-range', message: expect.stringMatching(/0 to 10/) }));
    expect(() => switchSchedule(10, -1, 'a cat', 'a dog')).toThrow(expect.objectContaining({ code: 'switch-out-of-range', message: expect.stringMatching(/got -1/) }));
  });
  test('a rewrite that fails with a plain error (rejected or thrown) stops the loop as rewrite-failed', async () => {
    const failing = [() => Promise.reject(new Error('the LLM worker died')), () => { throw new TypeError('the LLM worker died'); }];
    for (const rewritten of failing) {
      await expectCode(generate(model, { prompt: 'a cat', seed: 1, steps: 4, schedule: switchSchedule(4, 2, 'a cat', rewritten) }), 'rewrite-failed', /The rewrite failed: the LLM worker died/);
    }
  });
  test('a tokenizer.json without a vocabulary, or not a CLIP tokenizer, is refused with its code', () => {
    for (const json of [{}, { model: {} }, { model: { type: 'BPE', vocab: {} } }]) {
      expect(() => createClipTokenizer(json, {})).toThrow(expect.objectContaining({ code: 'tokenizer-invalid', message: expect.stringMatching(/no vocabulary/) }));
    }
    expect(() => createClipTokenizer({ model: { type: 'BPE', vocab: { a: 0 } } }, {})).toThrow(expect.objectContaining({ code: 'tokenizer-invalid', message: expect.stringMatching(/could not be read as a CLIP tokenizer/) }));
  });
  test('non-integer seed', async () => {
    await expectCode(generate(model, { prompt: 'a cat', seed: 1.5 }), 'bad-seed', /whole number.*1\.5/);
  });
  test('an fp16 model on a device without shader-f16', () => {
    const entry = findModel(fixtureManifest, 'tiny-sd-fp16');
    const caps = { webgpu: true, shaderF16: false, maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 27 };
    expect(() => chooseProvider(entry, caps)).toThrow(/shader-f16.*Use "tiny-sd" instead/);
    expect(() => chooseProvider(entry, { ...caps, webgpu: false, shaderF16: false })).toThrow(/needs WebGPU/);
    expect(chooseProvider(entry, { ...caps, shaderF16: true })).toBe('webgpu');
  });
  test('an fp32 model without WebGPU falls back to WASM', () => {
    const entry = findModel(fixtureManifest, 'tiny-sd');
    expect(chooseProvider(entry, { webgpu: false, shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0 })).toBe('wasm');
  });
  test('a wrong byte count in the manifest is reported as corrupt', async () => {
    const entry = structuredClone(findModel(fixtureManifest, 'tiny-sd'));
    entry.files.unet.bytes = 12;
    await expectCode(
      loadModel(ort, entry, { provider: 'wasm', fetcher: fsFetcher(fixtureModels), graphsBaseUrl: publicDir + 'graphs/' }),
      'model-file-corrupt',
      /bytes; 12 were expected/,
    );
  });
});
