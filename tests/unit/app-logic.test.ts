import type { GenerateCall } from '../../src/engine/diffusionClient.ts';
// The app's non-view logic (src/app/lib): settings persistence, input validation, the run plan, kiosk policy loading.
import { describe, expect, it } from 'vitest';
import manifestJson from '../../models-manifest/models.json';
import { findModel, parseManifest } from '../../src/core/manifest.ts';
import { formatBytes, segments } from '../../src/app/lib/format.ts';
import { bakedKiosk, detectKiosk, findPolicyUrl } from '../../src/app/lib/kiosk.ts';
import { maskColour, maskScale, maskToRgba } from '../../src/app/lib/maskImage.ts';
import { planRuns, rerunTin, runAll, switchesAt, timeline, type RunKind } from '../../src/app/lib/runs.ts';
import { defaultSettings, KIOSK_STORAGE_KEY, loadSettings, saveSettings, STORAGE_KEY } from '../../src/app/lib/settings.ts';
import { fieldForCode, validateInputs } from '../../src/app/lib/validate.ts';
import { isErrorCode } from '../../src/core/errorCodes.ts';
import { OresError } from '../../src/core/errors.ts';
import { MemoryStorage } from './helpers/memoryStorage.ts';

const manifest = parseManifest(manifestJson);
const entry = findModel(manifest, manifest.defaultModel);


describe('settings', () => {
  it('defaults come from the manifest entry', () => {
    const s = defaultSettings(entry);
    expect(s.steps).toBe(String(entry.defaults.steps));
    expect(s.switchFraction).toBe(entry.defaults.switchFraction);
    expect(s.modelId).toBe(entry.id);
  });

  it('round-trips through storage, keeping what was typed, ignoring malformed fields', () => {
    const storage = new MemoryStorage();
    const s = { ...defaultSettings(entry), prompt: 'a red circle', seed: 'abc', concepts: 'red, dog' };
    saveSettings(s, storage, false);
    expect(loadSettings(defaultSettings(entry), storage, false)).toEqual(s);
    storage.setItem(STORAGE_KEY, JSON.stringify({ prompt: 7, switchFraction: 3, seed: '9' }));
    const back = loadSettings(defaultSettings(entry), storage, false);
    expect(back.prompt).toBe('');
    expect(back.switchFraction).toBe(entry.defaults.switchFraction);
    expect(back.seed).toBe('9');
    storage.setItem(STORAGE_KEY, '{not json');
    expect(loadSettings(defaultSettings(entry), storage, false)).toEqual(defaultSettings(entry));
  });

  it('a kiosk stores and reads only seed, steps and guidance: never concepts, S, nor the visitor\'s prompt', () => {
    const storage = new MemoryStorage();
    saveSettings({ ...defaultSettings(entry), prompt: 'a private prompt', concepts: 'x', switchFraction: 1 }, storage, true);
    expect(Object.keys(JSON.parse(storage.getItem(KIOSK_STORAGE_KEY)!)).sort()).toEqual(['guidance', 'seed', 'steps']);
    expect(storage.getItem(KIOSK_STORAGE_KEY)).not.toContain('private');
    storage.setItem(KIOSK_STORAGE_KEY, JSON.stringify({ prompt: 'p', concepts: '', switchFraction: 1 }));
    const s = loadSettings(defaultSettings(entry), storage, true);
    expect(s.prompt).toBe(''); // the previous visitor's prompt never pre-fills the form
    expect(s.switchFraction).toBe(entry.defaults.switchFraction);
  });
});

describe('validation', () => {
  const ok = { prompt: ' a red circle ', negativePrompt: '', seed: '42', steps: '20', guidance: '5', switchFraction: 0.15 };

  it('turns typed text into a request', () => {
    const v = validateInputs(ok, entry);
    expect(v).toEqual({ ok: true, value: { prompt: 'a red circle', negativePrompt: '', seed: 42, steps: 20, guidanceScale: 5, switchStep: 3 } });
  });

  it('gives one specific error per bad field', () => {
    const v = validateInputs({ ...ok, prompt: '  ', seed: '-1', steps: '0', guidance: 'x' }, entry);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.errors.prompt?.code).toBe('empty-prompt');
    expect(v.errors.prompt?.message).toMatch(/prompt is empty/);
    expect(v.errors.seed?.code).toBe('bad-seed');
    expect(v.errors.seed?.message).toContain('"-1"');
    expect(v.errors.steps?.code).toBe('steps-out-of-range');
    expect(v.errors.guidance?.code).toBe('bad-guidance');
    expect(validateInputs({ ...ok, seed: '4294967296' }, entry).ok).toBe(false);
    expect(validateInputs({ ...ok, seed: '1.5' }, entry).ok).toBe(false);
  });

  it('routes engine error codes to the input that caused them', () => {
    expect(fieldForCode('empty-prompt')).toBe('prompt');
    expect(fieldForCode('needs-shader-f16')).toBe('model');
    expect(fieldForCode('model-download-failed')).toBe('model');
    expect(fieldForCode('fallback-unsafe')).toBe('rewrite');
    expect(fieldForCode('bad-arguments')).toBe('run'); // a CLI code reaching the page shows with the run
    expect(isErrorCode('something-else')).toBe(false); // a wire code nobody knows becomes 'internal' in the client
  });
});

describe('run plan', () => {
  const v = { prompt: 'a red circle', negativePrompt: 'blurry', seed: 7, steps: 20, guidanceScale: 5, switchStep: 3 };
  const rewritten = Promise.resolve('a blue circle');

  it('TIN first (rewrite as a promise, switch at S), then the baselines with the same seed', () => {
    const runs = planRuns(v, { concepts: ['red'], kiosk: false, compare: ['original', 'blacklist', 'negative'], previewEvery: 2, rewritten });
    expect(runs.map((r) => r.kind)).toEqual(['tin', 'original', 'blacklist', 'negative']);
    const tin = runs[0]!.request.schedule!;
    expect(tin.steps.map((s) => s.prompt)).toEqual([...Array(3).fill(0), ...Array(17).fill(1)]);
    expect(tin.prompts[0]).toBe('a red circle');
    expect(typeof tin.prompts[1]).toBe('function'); // the rewrite, still on its way
    expect(runs.every((r) => r.request.seed === 7 && r.request.previewEvery === 2)).toBe(true);
    const texts = (i: number) => runs[i]!.request.schedule!.prompts;
    expect(texts(1)).toEqual(['a red circle', 'blurry']);
    expect(texts(2)).toEqual(['a circle', 'blurry']); // BLACK LIST
    expect(texts(3)).toEqual(['a red circle', 'blurry, red']);
  });

  it("verification's regeneration: TIN again from METHODS.tin with S = 0 and the new seed, all else as the first run", () => {
    const [tin, original] = planRuns(v, { concepts: ['red'], kiosk: false, compare: ['original'], previewEvery: 2, rewritten });
    const again = rerunTin(tin!, 8, 0);
    expect(again).toMatchObject({ ...tin!.request, seed: 8, schedule: { prompts: tin!.request.schedule!.prompts } });
    expect(again.schedule!.steps).toEqual(Array(20).fill({ prompt: 1, negative: 2 })); // every step on u', the user's negative kept
    expect(() => rerunTin(original!, 8, 0)).toThrow(/not the one the policy protects/);
  });

  it('a regeneration can carry a new rewrite (written knowing what the judge saw)', async () => {
    const [tin] = planRuns(v, { concepts: ['red'], kiosk: false, compare: [], previewEvery: 2, rewritten });
    const again = rerunTin(tin!, 8, 0, Promise.resolve('a green circle'));
    const u2 = again.schedule!.prompts[1];
    expect(typeof u2).toBe('function');
    expect(await (u2 as () => Promise<string>)()).toBe('a green circle');
    expect(again.schedule!.prompts[0]).toBe('a red circle');
  });

  it('a kiosk only ever runs TIN', () => {
    const runs = planRuns(v, { concepts: ['red'], kiosk: true, compare: ['original', 'blacklist', 'negative'], previewEvery: 0, rewritten });
    expect(runs.map((r) => r.kind)).toEqual(['tin']);
    expect(runs[0]!.request.schedule!.prompts[2]).toBe(''); // no negative prompt in a kiosk
    expect(() => planRuns(v, { concepts: [], kiosk: true, compare: [], previewEvery: 0 })).toThrow(OresError);
  });

  it("a kiosk whose policy chose TIN + MASK runs it as the policy's run where the mask fits, TIN (and why) where it does not", () => {
    const fits = { fits: true, reason: 'the banned concepts are appearance or objects: the mask changes only where they are' };
    const [masked, ...rest] = planRuns(v, { concepts: ['red'], kiosk: true, compare: ['original'], previewEvery: 0, rewritten, mask: fits });
    expect(rest).toEqual([]);
    expect(masked).toMatchObject({ kind: 'tin-mask', title: 'TIN + MASK', policyRun: true, methodReason: fits.reason });
    const schedule = masked!.request.schedule!;
    expect(schedule.mask).toMatchObject({ prompt: 2, from: 3 }); // u' inside the mask from S = 3
    expect(schedule.steps.every((s) => s.prompt === 0)).toBe(true); // u throughout
    expect(schedule.prompts[0]).toBe('a red circle');
    expect(typeof schedule.prompts[2]).toBe('function'); // the rewrite, still on its way
    // verification's regeneration stays plain TIN from step 0
    expect(rerunTin(masked!, 8, 0)).toMatchObject({ seed: 8, schedule: { steps: Array(20).fill({ prompt: 1, negative: 2 }) } });
    expect(rerunTin(masked!, 8, 0).schedule!.mask).toBeUndefined();

    const layout = { fits: false, reason: '"navy background" is a background: a mask would keep it, so TIN runs instead' };
    const [tin] = planRuns(v, { concepts: ['navy background'], kiosk: true, compare: [], previewEvery: 0, rewritten, mask: layout });
    expect(tin).toMatchObject({ kind: 'tin', title: 'TIN', policyRun: true, methodReason: layout.reason });
    expect(tin!.request.schedule!.mask).toBeUndefined();
    expect(tin!.request.schedule!.steps.map((s) => s.prompt)).toEqual([...Array(3).fill(0), ...Array(17).fill(1)]);
    // a policy that did not choose the mask: TIN, nothing to explain
    expect(planRuns(v, { concepts: ['red'], kiosk: true, compare: [], previewEvery: 0, rewritten })[0]).not.toHaveProperty('methodReason');
    // outside a kiosk the educator's checkboxes decide: the mask choice changes nothing
    expect(planRuns(v, { concepts: ['red'], kiosk: false, compare: [], previewEvery: 0, rewritten, mask: fits }).map((r) => [r.kind, r.methodReason])).toEqual([['tin', undefined]]);
  });

  it('no concepts: just u', () => {
    expect(planRuns(v, { concepts: [], kiosk: false, compare: ['original', 'blacklist', 'negative'], previewEvery: 0 }).map((r) => r.kind)).toEqual(['plain']);
  });

  it('runs in order, reports a failure and goes on, stops on cancel', async () => {
    const runs = planRuns(v, { concepts: ['red'], kiosk: false, compare: ['original', 'blacklist', 'negative'], previewEvery: 0, rewritten });
    const seen: string[] = [];
    const abort = new AbortController();
    const client = {
      generate: async (c: GenerateCall) => {
        const prompts = c.request.schedule!.prompts;
        if (prompts.some((p) => typeof p === 'function')) throw new OresError('rewrite-failed', 'no');
        if (prompts[0] !== 'a red circle') return {} as never; // BLACK LIST
        if (prompts[1] !== 'blurry') throw new Error('unreachable: cancelled before');
        abort.abort();
        return {} as never;
      },
    };
    await runAll(client, runs, { onResult: (s) => seen.push(`ok ${s.kind}`), onError: (s, e) => seen.push(`${e.code} ${s.kind}`) }, abort.signal);
    expect(seen).toEqual(['rewrite-failed tin', 'ok original', 'cancelled blacklist', 'cancelled negative']);
  });

  it('timeline marks the steps after S and which prompt conditioned each', () => {
    const trace = [0, 1, 2, 3].map((i) => ({ step: i, timestep: 999 - i, prompt: i < 2 ? 0 : 1, negative: 2, promptText: i < 2 ? 'u' : 'v', negativeText: '' }));
    const cells = timeline('tin', trace, 2);
    expect(cells.map((c) => c.prompt)).toEqual(['u', 'u', 'u′', 'u′']);
    expect(cells.map((c) => c.afterSwitch)).toEqual([false, false, true, true]);
    expect(timeline('original', trace, undefined).every((c) => c.prompt === 'u' && !c.afterSwitch)).toBe(true);
  });
});

describe('kiosk policy loading', () => {
  const files: Record<string, { status: number; type: string; body: string }> = {};
  const fetchFake = async (url: string) => {
    const f = files[url] ?? { status: 200, type: 'text/html', body: '<!doctype html>' }; // the dev server's index.html fallback
    return new Response(f.body, { status: f.status, headers: { 'content-type': f.type } });
  };
  const json = (v: unknown) => ({ status: 200, type: 'application/json', body: JSON.stringify(v) });

  it('no deployed policy and no ?kiosk: the normal page', async () => {
    expect(await findPolicyUrl('http://x/', 'http://x/', fetchFake)).toBeNull();
    expect((await detectKiosk('http://x/', 'http://x/', manifest, fetchFake)).mode).toBe('normal');
  });

  it('?kiosk=URL loads and freezes the policy', async () => {
    files['http://x/p/kiosk.json'] = json({ bannedConcepts: ['red'], switchFraction: 0.2 });
    const s = await detectKiosk('http://x/?kiosk=/p/kiosk.json', 'http://x/', manifest, fetchFake);
    expect(s.mode).toBe('kiosk');
    if (s.mode !== 'kiosk') return;
    expect(s.policy.bannedConcepts).toEqual(['red']);
    expect(s.policy.source).toBe('http://x/p/kiosk.json');
    expect(Object.isFrozen(s.policy) && Object.isFrozen(s.policy.bannedConcepts)).toBe(true);
  });

  it('a deployed policy.json wins over ?kiosk', async () => {
    files['http://d/policy.json'] = json({ bannedConcepts: ['dog'] });
    files['http://d/loose.json'] = json({ bannedConcepts: ['nothing'] });
    const s = await detectKiosk('http://d/?kiosk=/loose.json', 'http://d/', manifest, fetchFake);
    expect(s.mode === 'kiosk' && s.policy.bannedConcepts).toEqual(['dog']);
  });

  it('bad, missing or unreachable policies become the error screen, naming the problem', async () => {
    files['http://x/bad.json'] = json({ bannedConcepts: [], model: 'nope' });
    const bad = await detectKiosk('http://x/?kiosk=bad.json', 'http://x/', manifest, fetchFake);
    expect(bad.mode).toBe('kiosk-error');
    expect(bad.mode === 'kiosk-error' && bad.error.message).toMatch(/bannedConcepts: the policy must ban at least one concept/);
    files['http://x/model.json'] = json({ bannedConcepts: ['red'], model: 'nope' });
    const model = await detectKiosk('http://x/?kiosk=model.json', 'http://x/', manifest, fetchFake);
    expect(model.mode === 'kiosk-error' && model.error.message).toMatch(/model: "nope" is not in the models manifest/);
    const missing = await detectKiosk('http://x/?kiosk=missing.json', 'http://x/', manifest, fetchFake);
    expect(missing.mode === 'kiosk-error' && missing.error.message).toMatch(/web page, not a JSON file/);
    files['http://x/404.json'] = { status: 404, type: 'text/plain', body: '' };
    const notFound = await detectKiosk('http://x/?kiosk=404.json', 'http://x/', manifest, fetchFake);
    expect(notFound.mode === 'kiosk-error' && notFound.error.message).toMatch(/HTTP 404 \(file not found\)/);
    const empty = await detectKiosk('http://x/?kiosk=', 'http://x/', manifest, fetchFake);
    expect(empty.mode === 'kiosk-error' && empty.error.message).toMatch(/without the URL of a policy file/);
    files['http://x/instr.json'] = json({ bannedConcepts: ['red'], instruction: 'artifact.json' });
    files['http://x/artifact.json'] = json({ format: 'ores-instruction' });
    const instr = await detectKiosk('http://x/?kiosk=instr.json', 'http://x/', manifest, fetchFake);
    expect(instr.mode === 'kiosk-error' && instr.error.message).toMatch(/- instruction: The instruction file is not a valid ores-instruction/);
  });

  it('fails closed: a deployed policy served as 503 or unreachable is the error screen, never the normal page', async () => {
    files['http://f/policy.json'] = { status: 503, type: 'text/plain', body: 'down' };
    const down = await detectKiosk('http://f/', 'http://f/', manifest, fetchFake);
    expect(down.mode === 'kiosk-error' && down.error.message).toMatch(/HTTP 503/);
    const unreachable = await detectKiosk('http://u/', 'http://u/', manifest, async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(unreachable.mode === 'kiosk-error' && unreachable.error.message).toMatch(/Could not check for a deployed kiosk policy.*Failed to fetch/);
    files['http://f2/policy.json'] = { status: 200, type: 'application/json', body: '{"bannedConcepts": ["red"' };
    expect((await detectKiosk('http://f2/', 'http://f2/', manifest, fetchFake)).mode).toBe('kiosk-error'); // broken JSON
  });

  it('offline, only a browser told online that no policy is deployed opens the normal page; others stay locked', async () => {
    const storage = new MemoryStorage();
    const down = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect((await detectKiosk('http://n/', 'http://n/', manifest, down, storage)).mode).toBe('kiosk-error'); // never seen: locked
    expect((await detectKiosk('http://n/', 'http://n/', manifest, fetchFake, storage)).mode).toBe('normal'); // online: no policy here
    expect((await detectKiosk('http://n/', 'http://n/', manifest, down, storage)).mode).toBe('normal'); // offline afterwards
    expect((await detectKiosk('http://other/', 'http://other/', manifest, down, storage)).mode).toBe('kiosk-error'); // another site
  });

  it('?kiosk= takes same-origin paths only: another origin or a data: URL is refused', async () => {
    files['http://evil/loose.json'] = json({ bannedConcepts: ['nothing'] });
    for (const param of ['http://evil/loose.json', '//evil/loose.json', 'data:application/json,{"bannedConcepts":["x"]}']) {
      const s = await detectKiosk(`http://x/?kiosk=${encodeURIComponent(param)}`, 'http://x/', manifest, fetchFake);
      expect(s.mode, param).toBe('kiosk-error');
      expect(s.mode === 'kiosk-error' && s.error.code).toBe('policy-not-same-origin');
    }
  });

  it('removing ?kiosk= from the address keeps the kiosk (remembered in this browser)', async () => {
    const storage = new MemoryStorage();
    files['http://x/p/kiosk.json'] = json({ bannedConcepts: ['red'] });
    expect((await detectKiosk('http://x/?kiosk=/p/kiosk.json', 'http://x/', manifest, fetchFake, storage)).mode).toBe('kiosk');
    const again = await detectKiosk('http://x/', 'http://x/', manifest, fetchFake, storage);
    expect(again.mode === 'kiosk' && again.policy.bannedConcepts).toEqual(['red']);
  });

  it('a kiosk build\'s baked-in policy is the kiosk, and a broken one the error screen', () => {
    const ok = bakedKiosk(JSON.stringify({ bannedConcepts: ['red'] }), manifest);
    expect(ok.mode === 'kiosk' && ok.policy.source).toBe('built into this kiosk');
    expect(bakedKiosk('{"bannedConcepts": []}', manifest).mode).toBe('kiosk-error');
  });
});

describe('format', () => {
  it('sizes and highlight segments', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2.5 * 1024 ** 3)).toBe('2.5 GB');
    const text = 'a red car and a crimson dog';
    const parts = segments(text, [
      { start: 2, end: 5 },
      { start: 16, end: 23 },
    ]);
    expect(parts.map((p) => [p.text, Boolean(p.hit)])).toEqual([
      ['a ', false],
      ['red', true],
      [' car and a ', false],
      ['crimson', true],
      [' dog', false],
    ]);
  });
});

describe('the form and the engine agree on the step limit', () => {
  it("the embedded model's maxSteps is the most its scheduler can run, and the form refuses one more", async () => {
    const { readFileSync } = await import('node:fs');
    const { createScheduler, parseSchedulerConfig } = await import('../../src/core/schedulers/index.ts');
    const config = parseSchedulerConfig(JSON.parse(readFileSync('public/models/ores-tiny-world/scheduler/scheduler_config.json', 'utf8')));
    const max = entry.maxSteps!;
    expect(() => createScheduler(config, entry.scheduler).setTimesteps(max)).not.toThrow();
    expect(() => createScheduler(config, entry.scheduler).setTimesteps(max + 1)).toThrow(expect.objectContaining({ code: 'steps-out-of-range' }));
    const v = validateInputs({ prompt: 'a red circle', negativePrompt: '', seed: '1', steps: String(max + 1), guidance: '5', switchFraction: 0.15 }, entry);
    expect(v.ok === false && v.errors.steps?.code).toBe('steps-out-of-range');
  });
});

describe('the policy field and the educator runs', () => {
  const ok = { prompt: 'a red circle', negativePrompt: '', seed: '1', steps: '20', guidance: '5', switchFraction: 0.15 };
  it('a concepts field of only commas or spaces is an error on that field, not "no policy"', () => {
    for (const concepts of [',', ' , ;, ', ';;']) {
      const v = validateInputs({ ...ok, concepts }, entry);
      expect(v.ok === false && v.errors.concepts?.code, JSON.stringify(concepts)).toBe('no-concepts');
    }
    expect(validateInputs({ ...ok, concepts: '' }, entry).ok).toBe(true); // empty: no policy, on purpose
    expect(validateInputs({ ...ok, concepts: 'red, ,' }, entry).ok).toBe(true);
  });
  it('TIN with mask runs beside TIN as its own card, with its mask schedule', () => {
    const v = { prompt: 'a red circle', negativePrompt: '', seed: 7, steps: 20, guidanceScale: 5, switchStep: 3 };
    const runs = planRuns(v, { concepts: ['red'], kiosk: false, compare: ['tin-mask'], previewEvery: 0, rewritten: Promise.resolve('a blue circle') });
    expect(runs.map((r) => r.kind)).toEqual(['tin', 'tin-mask']);
    expect(runs[1]!.title).toBe('TIN + MASK');
    expect(runs[1]!.request.schedule!.mask).toBeDefined();
    expect(runs.map((r) => r.policyRun)).toEqual([true, undefined]); // only TIN is verified and audited
  });

  it("TIN + MASK's timeline marks the steps after S (u′ inside the mask) while u conditions every step", () => {
    const trace = [0, 1, 2].map((step) => ({ step, timestep: 900 - step, prompt: 0, negative: 1, promptText: 'a red circle', negativeText: '', ...(step >= 1 ? { maskText: 'a blue circle' } : {}) }));
    expect(timeline('tin-mask', trace, 1).map((c) => [c.prompt, c.afterSwitch])).toEqual([['u', false], ['u', true], ['u', true]]);
    expect(timeline('tin-mask', trace, undefined).some((c) => c.afterSwitch)).toBe(false);
    expect(['tin', 'tin-mask', 'original', 'blacklist', 'negative', 'plain'].map((k) => switchesAt(k as RunKind))).toEqual([true, true, false, false, false, false]);
  });
});

describe('the mask heat map (educator view of TIN + MASK)', () => {
  it('maps 0, 0.5 and 1 to the ramp stops, halfway between them linearly, and clamps the rest', () => {
    expect(maskColour(0)).toEqual([68, 1, 84]);
    expect(maskColour(0.5)).toEqual([33, 145, 140]);
    expect(maskColour(1)).toEqual([253, 231, 37]);
    expect(maskColour(0.25)).toEqual([51, 73, 112]); // (68+33)/2, (1+145)/2, (84+140)/2, rounded
    expect(maskColour(-3)).toEqual(maskColour(0));
    expect(maskColour(7)).toEqual(maskColour(1));
    expect(maskColour(Number.NaN)).toEqual(maskColour(0));
  });

  it('draws each latent cell as a scale x scale square, row-major, opaque', () => {
    const img = maskToRgba({ data: Float32Array.from([0, 1, 1, 0.5, 0, 0]), width: 3, height: 2 }, 2);
    expect([img.width, img.height, img.data.length]).toEqual([6, 4, 6 * 4 * 4]);
    const px = (x: number, y: number) => Array.from(img.data.subarray((y * 6 + x) * 4, (y * 6 + x) * 4 + 4));
    expect(px(0, 0)).toEqual([68, 1, 84, 255]);
    expect(px(1, 1)).toEqual([68, 1, 84, 255]); // still cell (0, 0)
    expect(px(2, 0)).toEqual([253, 231, 37, 255]); // cell (1, 0)
    expect(px(5, 1)).toEqual([253, 231, 37, 255]); // cell (2, 0)
    expect(px(0, 2)).toEqual([33, 145, 140, 255]); // cell (0, 1)
    expect(px(5, 3)).toEqual([68, 1, 84, 255]); // cell (2, 1)
    expect(() => maskToRgba({ data: new Float32Array(5), width: 3, height: 2 }, 1)).toThrow(/5 values for a 3 x 2 grid/);
  });

  it('scales a latent grid up to at least the thumbnail size', () => {
    expect(maskScale({ width: 8, height: 8 }, 48)).toBe(6);
    expect(maskScale({ width: 64, height: 48 }, 48)).toBe(1);
    expect(maskScale({ width: 10, height: 7 }, 48)).toBe(5);
  });
});
