import { sample, type SampleOptions, type SampleResult } from '../core/pipeline/pipeline.ts';
import { resolveRequest, type GenerateRequest } from '../core/pipeline/request.ts';
import { createScheduler } from '../core/schedulers/index.ts';
import type { LoadedModel } from './loadModel.ts';

export type GenerateHooks = Pick<SampleOptions, 'signal' | 'onProgress' | 'onPreview' | 'onMask'>;

/** One image from a loaded model: validate, build the schedule, run the loop. */
export async function generate(model: LoadedModel, request: GenerateRequest, hooks: GenerateHooks = {}): Promise<SampleResult> {
  const r = resolveRequest(model.entry, request);
  const scheduler = createScheduler(model.schedulerConfig, model.entry.scheduler);
  return sample(model.backend, model.tokenizer, scheduler, { ...r, ...hooks });
}
