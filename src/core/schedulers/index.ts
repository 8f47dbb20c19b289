import { InvalidInputError } from '../errors.ts';
import { parseSchedulerConfig } from './config.ts';
import { DdimScheduler } from './ddim.ts';
import { EulerScheduler } from './euler.ts';
import { EulerAncestralScheduler } from './euler_ancestral.ts';
import type { Scheduler, SchedulerConfig, SchedulerKind } from './types.ts';

export type { DenoisedCoefficients, Scheduler, SchedulerConfig, SchedulerKind, StepCoefficients } from './types.ts';
export { parseSchedulerConfig } from './config.ts';

const CLASSES: Record<string, SchedulerKind> = {
  DDIMScheduler: 'ddim',
  EulerDiscreteScheduler: 'euler',
  EulerAncestralDiscreteScheduler: 'euler_ancestral',
};
const KINDS: readonly SchedulerKind[] = ['ddim', 'euler', 'euler_ancestral'];

/**
 * A scheduler for a model's scheduler_config.json. `kind` overrides _class_name, which is how models shipped
 * with PNDMScheduler / LMSDiscreteScheduler configs run here (their betas and spacing fields carry over, as
 * with diffusers' from_config). Without `kind`, the config must name a supported class.
 */
export function createScheduler(config: SchedulerConfig, kind?: SchedulerKind): Scheduler {
  const c = parseSchedulerConfig(config);
  const name = c._class_name;
  const resolved = kind ?? (name !== undefined ? CLASSES[name] : undefined);
  if (resolved === undefined || !KINDS.includes(resolved)) {
    const what = kind !== undefined ? `Scheduler kind "${String(kind)}"` : name !== undefined ? `${name}` : 'A config without _class_name';
    throw new InvalidInputError(
      'unsupported-scheduler',
      `${what} is not supported; supported: ${Object.keys(CLASSES).join(', ')} (or pass a kind: ${KINDS.join(', ')}).`,
    );
  }
  if (resolved === 'ddim') return new DdimScheduler(c);
  return resolved === 'euler' ? new EulerScheduler(c) : new EulerAncestralScheduler(c);
}

/**
 * The most steps this scheduler can run, at most `cap`: its train timesteps bound it, and DDIM's
 * spacing can refuse a few counts just below that (a step offset pushes the last timestep out).
 */
export function maxStepsOf(config: SchedulerConfig, kind: SchedulerKind, cap: number): number {
  const scheduler = createScheduler(config, kind);
  for (let n = Math.min(cap, scheduler.maxSteps); n > 1; n--) {
    try {
      scheduler.setTimesteps(n);
      return n;
    } catch {
      // this count yields a timestep outside training: try one fewer
    }
  }
  return 1;
}
