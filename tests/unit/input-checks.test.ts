// The page and the engine check a generation's inputs with the same functions
// (src/core/pipeline/inputChecks.ts): the same limits, the same codes, the same words.
import { describe, expect, it } from 'vitest';
import { findModel, parseManifest } from '../../src/core/manifest.ts';
import { MAX_GUIDANCE_SCALE, MAX_QUERY_LENGTH } from '../../src/core/pipeline/inputChecks.ts';
import { resolveRequest } from '../../src/core/pipeline/request.ts';
import { maxStepsOf, parseSchedulerConfig } from '../../src/core/schedulers/index.ts';
import { validateInputs } from '../../src/app/lib/validate.ts';
import manifestJson from '../../models-manifest/models.json';

const entry = findModel(parseManifest(manifestJson, 'models.json'), 'ores-tiny-world');
const typed = { prompt: 'a red circle', negativePrompt: '', seed: '1', steps: '20', guidance: '5', switchFraction: 0.15 };

/** The engine's error for a request, as thrown by resolveRequest. */
function engineError(r: Parameters<typeof resolveRequest>[1]) {
  try {
    resolveRequest(entry, r);
  } catch (e) {
    return e as { code: string; message: string };
  }
  return undefined;
}

describe('the page shows the engine’s errors', () => {
  it.each([
    ['prompt', { prompt: ' ' }, { prompt: ' ' }],
    ['prompt', { prompt: 'x'.repeat(MAX_QUERY_LENGTH + 1) }, { prompt: 'x'.repeat(MAX_QUERY_LENGTH + 1) }],
    ['steps', { steps: String(entry.maxSteps! + 1) }, { steps: entry.maxSteps! + 1 }],
    ['guidance', { guidance: String(MAX_GUIDANCE_SCALE + 1) }, { guidanceScale: MAX_GUIDANCE_SCALE + 1 }],
    ['seed', { seed: '4294967296' }, { seed: 4294967296 }],
  ] as const)('%s: same code; same message but for the quotes of typed text', (field, page, engine) => {
    const v = validateInputs({ ...typed, ...page }, entry);
    const e = engineError({ prompt: 'a red circle', seed: 1, ...engine });
    expect(e).toBeDefined();
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.errors[field]?.code).toBe(e!.code);
    expect(v.errors[field]?.message.replace(/"(\d+)"\.$/, '$1.')).toBe(e!.message);
  });

  it('the guidance limit is one number for both (the page once allowed what the loop refused)', () => {
    expect(validateInputs({ ...typed, guidance: String(MAX_GUIDANCE_SCALE) }, entry).ok).toBe(true);
    expect(engineError({ prompt: 'a', seed: 1, guidanceScale: MAX_GUIDANCE_SCALE })).toBeUndefined();
  });
});

describe('the most steps a scheduler can run', () => {
  const ddim = (over: object) => parseSchedulerConfig({ _class_name: 'DDIMScheduler', num_train_timesteps: 100, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', clip_sample: false, ...over });
  it('is bounded by the train timesteps and by the entry’s own limit', () => {
    expect(maxStepsOf(ddim({ steps_offset: 0 }), 'ddim', 1000)).toBe(100);
    expect(maxStepsOf(ddim({ steps_offset: 0 }), 'ddim', 50)).toBe(50);
  });
  it('leaves out the counts DDIM’s step offset pushes past the last train timestep', () => {
    expect(maxStepsOf(ddim({ steps_offset: 1 }), 'ddim', 1000)).toBe(99);
  });
  it('a model whose entry allows more steps than its scheduler refuses them in the form once loaded', () => {
    const loaded = { ...entry, maxSteps: maxStepsOf(ddim({ steps_offset: 1 }), 'ddim', 1000) };
    const v = validateInputs({ ...typed, steps: '1000' }, loaded);
    expect(v.ok === false && v.errors.steps?.code).toBe('steps-out-of-range');
    expect(v.ok === false && v.errors.steps?.message).toMatch(/from 1 to 99 for .*got "1000"/);
  });
});
