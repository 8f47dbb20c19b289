import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { alphasCumprod } from '../../src/core/schedulers/betas.ts';
import { createScheduler, parseSchedulerConfig } from '../../src/core/schedulers/index.ts';
import type { Scheduler, SchedulerConfig, SchedulerKind } from '../../src/core/schedulers/index.ts';

// Written by tools/reference/scheduler_reference.py, a numpy/torch transcription of diffusers' schedulers.
interface Case {
  name: string;
  kind: SchedulerKind;
  steps: number;
  config: SchedulerConfig;
  timesteps: number[];
  initNoiseSigma: number;
  scaleModelInput: number[];
  step: number[][];
  predOriginal: number[][];
}
interface Reference {
  alphasCumprodProbe: { config: SchedulerConfig; indices: number[]; values: number[] };
  cases: Case[];
  timestepsOnly: { spacing: 'leading' | 'trailing' | 'linspace'; steps: number; ddim: number[]; euler: number[] }[];
}
const ref = JSON.parse(readFileSync(new URL('../fixtures/schedulers/reference.json', import.meta.url), 'utf8')) as Reference;

// Tolerance: the reference runs diffusers' float32 torch arithmetic (and torch's vectorised float32 linspace,
// which can sit 1 ulp from ours); we compute in double from the same float32 schedule values and round once.
// That leaves differences of a few float32 ulps (~1e-7 relative; observed < 1e-6), so 1e-5, scaled by the
// magnitude for Euler's |values| up to ~15, has ample margin while any formula mistake shows as >= 1e-3.
const TOL = 1e-5;
const close = (got: number, want: number, tol = TOL): boolean => Math.abs(got - want) <= tol * Math.max(1, Math.abs(want));

function expectClose(got: ArrayLike<number>, want: readonly number[], what: string, tol = TOL): void {
  expect(got.length, what).toBe(want.length);
  for (let k = 0; k < want.length; k++) {
    if (!close(got[k]!, want[k]!, tol)) expect.fail(`${what}[${k}]: got ${got[k]}, want ${want[k]}`);
  }
}

/** The fixture's toy inputs for step i (k = i + 1), rounded to float32 as the reference does. */
function inputs(i: number): { sample: Float32Array; modelOutput: Float32Array; noise: Float32Array } {
  const k = i + 1;
  const make = (f: (x: number) => number): Float32Array => Float32Array.from({ length: 16 }, (_, x) => f(x));
  return {
    sample: make((x) => Math.sin(x * 0.37 + k)),
    modelOutput: make((x) => Math.cos(x * 0.11 * k)),
    noise: make((x) => Math.sin(x * 1.3)),
  };
}

function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).code).toBe(code);
    if (message) expect((e as Error).message).toMatch(message);
    return;
  }
  expect.fail(`expected InvalidInputError ${code}`);
}

const sd15 = ref.alphasCumprodProbe.config;

describe('schedulers match diffusers (reference fixtures)', () => {
  it('alphas_cumprod matches torch float32', () => {
    const ac = alphasCumprod(sd15);
    expectClose(ref.alphasCumprodProbe.indices.map((i) => ac[i]!), ref.alphasCumprodProbe.values, 'alphas_cumprod', 1e-6);
  });

  for (const c of ref.cases) {
    describe(c.name, () => {
      const s: Scheduler = createScheduler(c.config, c.kind);
      s.setTimesteps(c.steps);

      it('timesteps, init noise sigma and input scaling', () => {
        expect(s.kind).toBe(c.kind);
        if (c.kind === 'ddim') expect([...s.timesteps]).toEqual(c.timesteps);
        else expectClose(s.timesteps, c.timesteps, 'timesteps', 1e-6);
        expect(close(s.initNoiseSigma, c.initNoiseSigma, 1e-6), `initNoiseSigma ${s.initNoiseSigma}`).toBe(true);
        expectClose(c.timesteps.map((_, i) => s.scaleModelInput(i)), c.scaleModelInput, 'scaleModelInput');
      });

      it('step() and the x0 estimate match diffusers at every step', () => {
        for (let i = 0; i < c.timesteps.length; i++) {
          const { sample, modelOutput, noise } = inputs(i);
          expectClose(s.step(i, modelOutput, sample, noise), c.step[i]!, `step ${i}`);
          const { p, q } = s.denoisedCoefficients(i);
          expectClose(sample.map((x, k) => p * x + q * modelOutput[k]!), c.predOriginal[i]!, `x0 ${i}`);
        }
      });

      it('step() is the coefficients applied elementwise', () => {
        for (let i = 0; i < c.timesteps.length; i++) {
          const { sample, modelOutput, noise } = inputs(i);
          const { a, b, c: cn } = s.coefficients(i);
          if (c.kind !== 'euler_ancestral') expect(cn).toBe(0);
          const want = Float32Array.from(sample, (x, k) => a * x + b * modelOutput[k]! + cn * noise[k]!);
          expect(s.step(i, modelOutput, sample, noise)).toEqual(want);
        }
      });
    });
  }

  it('timestep lists keep numpy rounding and arange quirks', () => {
    for (const t of ref.timestepsOnly) {
      const cfg = { ...sd15, timestep_spacing: t.spacing };
      const euler = createScheduler(cfg, 'euler');
      euler.setTimesteps(t.steps);
      expect([...euler.timesteps], `euler ${t.spacing} ${t.steps}`).toEqual(t.euler);
      const ddim = createScheduler(cfg, 'ddim');
      if (t.ddim.every((v) => v >= 0 && v < 1000)) {
        ddim.setTimesteps(t.steps);
        expect([...ddim.timesteps], `ddim ${t.spacing} ${t.steps}`).toEqual(t.ddim);
      } else {
        // diffusers itself would index alphas_cumprod[-1] here; we refuse instead.
        expectCode(() => ddim.setTimesteps(t.steps), 'steps-out-of-range', /timestep -1/);
      }
    }
    const q = ref.timestepsOnly.find((t) => t.spacing === 'trailing' && t.steps === 61)!;
    expect(q.euler.length).toBe(62);
  });
});

describe('scheduler errors', () => {
  it('rejects step counts outside 1..num_train_timesteps or not whole', () => {
    for (const kind of ['ddim', 'euler', 'euler_ancestral'] as const) {
      const s = createScheduler(sd15, kind);
      for (const n of [0, 1001, 2.5, -3, Number.NaN]) expectCode(() => s.setTimesteps(n), 'steps-out-of-range');
    }
    // leading + steps_offset 1 at 1000 steps would ask for alphas_cumprod[1000].
    expectCode(() => createScheduler(sd15, 'ddim').setTimesteps(1000), 'steps-out-of-range', /1000/);
  });

  it('names unsupported classes and lists the supported ones', () => {
    expectCode(() => createScheduler(sd15), 'unsupported-scheduler', /PNDMScheduler.*DDIMScheduler, EulerDiscreteScheduler, EulerAncestralDiscreteScheduler/);
    expectCode(() => createScheduler({ ...sd15, _class_name: 'LMSDiscreteScheduler' }), 'unsupported-scheduler', /LMSDiscreteScheduler/);
    expectCode(() => createScheduler({ ...sd15, _class_name: undefined }), 'unsupported-scheduler', /without _class_name/);
    expectCode(() => createScheduler(sd15, 'heun' as SchedulerKind), 'unsupported-scheduler', /heun/);
    expect(createScheduler(sd15, 'ddim').kind).toBe('ddim');
    expect(createScheduler({ ...sd15, _class_name: 'EulerAncestralDiscreteScheduler' }).kind).toBe('euler_ancestral');
  });

  it('rejects nonlinear or unported options', () => {
    expectCode(() => createScheduler({ ...sd15, clip_sample: true }, 'ddim'), 'unsupported-scheduler', /clip_sample/);
    const { clip_sample: _, ...noClip } = sd15;
    expectCode(() => createScheduler(noClip, 'ddim'), 'unsupported-scheduler', /clip_sample/); // diffusers' default is true
    expect(createScheduler(noClip, 'euler').kind).toBe('euler'); // Euler has no clipping
    expectCode(() => createScheduler({ ...sd15, use_karras_sigmas: true }, 'euler'), 'unsupported-scheduler', /karras/);
    expectCode(() => createScheduler({ ...sd15, interpolation_type: 'log_linear' }, 'euler_ancestral'), 'unsupported-scheduler', /log_linear/);
    expectCode(() => createScheduler({ ...sd15, prediction_type: 'sample' } as unknown as SchedulerConfig, 'ddim'), 'unsupported-scheduler', /sample/);
    expectCode(() => createScheduler({ ...sd15, trained_betas: [0.1] }, 'ddim'), 'unsupported-scheduler', /trained_betas/);
  });

  it('names the bad field of a malformed config', () => {
    expectCode(() => parseSchedulerConfig('nope'), 'invalid-scheduler-config', /JSON object/);
    expectCode(() => parseSchedulerConfig({ ...sd15, beta_start: '0.00085' }), 'invalid-scheduler-config', /"beta_start"/);
    const { num_train_timesteps: _, ...noSteps } = sd15;
    expectCode(() => parseSchedulerConfig(noSteps), 'invalid-scheduler-config', /"num_train_timesteps"/);
    expectCode(() => parseSchedulerConfig({ ...sd15, beta_schedule: 'cubic' }), 'invalid-scheduler-config', /"beta_schedule"/);
    expectCode(() => parseSchedulerConfig({ ...sd15, timestep_spacing: 'middle' }), 'invalid-scheduler-config', /"timestep_spacing"/);
    expectCode(() => parseSchedulerConfig({ ...sd15, steps_offset: 1.5 }), 'invalid-scheduler-config', /"steps_offset"/);
    expectCode(() => parseSchedulerConfig({ ...sd15, set_alpha_to_one: 'false' }), 'invalid-scheduler-config', /"set_alpha_to_one"/);
    expectCode(() => parseSchedulerConfig({ ...sd15, beta_schedule: 'squaredcos_cap_v2' }), 'unsupported-scheduler', /squaredcos_cap_v2/);
    expect(parseSchedulerConfig(sd15)).toEqual(sd15);
  });

  it('step() checks its inputs', () => {
    const s = createScheduler({ ...sd15, _class_name: 'EulerAncestralDiscreteScheduler' });
    expect(() => s.coefficients(0)).toThrow(/setTimesteps/);
    s.setTimesteps(4);
    const x = new Float32Array(4);
    expect(() => s.step(4, x, x, x)).toThrow(RangeError);
    expect(() => s.step(0, new Float32Array(3), x, x)).toThrow(/modelOutput/);
    expect(() => s.step(0, x, x)).toThrow(/needs noise/);
    expect(s.step(3, x, x).length).toBe(4); // last ancestral step: sigma_up = 0, no noise needed
  });
});
