import type { DeviceCapabilities, Provider } from '../core/capabilities.ts';
import type { ProviderDecision, RememberedProvider } from '../core/providerChoice.ts';
import type { RgbaImage } from '../core/pipeline/image.ts';
import type { LatentMask, SampleResult } from '../core/pipeline/pipeline.ts';
import type { Progress } from '../core/pipeline/progress.ts';
import type { ConditioningSchedule } from '../core/pipeline/schedule.ts';
import type { GenerateRequest } from '../core/pipeline/request.ts';
import type { ImageVerdict } from '../core/judge/types.ts';
import type { JudgeCheck } from '../core/policy/judgePlan.ts';

/** A prompt text, or one the main thread will send later (TIN's rewrite) with `provide-prompt`. */
export type WirePrompt = string | { pending: string };

/** A conditioning schedule on the wire: everything travels (SLD's `safety` included), pending prompts by key. */
export type WireSchedule = Omit<ConditioningSchedule, 'prompts'> & { prompts: WirePrompt[] };

/** GenerateRequest (src/core/pipeline/request.ts) with its schedule's pending prompts as keys. */
export type WireGenerateRequest = Omit<GenerateRequest, 'schedule'> & { schedule?: WireSchedule };

export type HostRequest =
  | { type: 'capabilities'; id: number }
  /** provider: the user's choice; without it the faster measured provider (or `remembered`, for this device and model). */
  | { type: 'load'; id: number; modelId: string; provider?: Provider; manifestUrl?: string; remembered?: RememberedProvider }
  | { type: 'generate'; id: number; request: WireGenerateRequest }
  | { type: 'provide-prompt'; id: number; key: string; text?: string; error?: string }
  /** Judges an image with the loaded model's judge (manifest `judge`), as the page's plan says (world values or CLIP captions). */
  | { type: 'judge'; id: number; image: RgbaImage; check: JudgeCheck }
  | { type: 'cancel'; id: number }
  | { type: 'unload'; id: number }
  /** Deletes a model's downloaded files from the cache (the next load downloads them again). */
  | { type: 'delete-cache'; id: number; modelId: string; manifestUrl?: string };

export interface WireError {
  name: string;
  code: string;
  message: string;
}

export interface GenerationOutput extends Omit<SampleResult, 'image'> {
  rgba: RgbaImage;
  png: Blob | Uint8Array;
  provider: Provider;
  modelId: string;
}

export type HostResponse =
  | { type: 'capabilities'; id: number; capabilities: DeviceCapabilities }
  /**
   * maxSteps: the most steps the loaded model's scheduler can run (its entry's limit, or lower).
   * warm: it has already run a generation (the provider measurement), so its GPU programs are compiled.
   */
  | { type: 'loaded'; id: number; modelId: string; provider: Provider; choice: ProviderDecision; deviceKey: string; maxSteps: number; warm: boolean }
  | { type: 'progress'; id: number; progress: Progress }
  | { type: 'preview'; id: number; step: number; image: RgbaImage }
  /** tin-mask: where u' conditioned the step, sent with the previews (no extra readback on other steps). */
  | { type: 'mask'; id: number; step: number; mask: LatentMask }
  | { type: 'result'; id: number; output: GenerationOutput }
  | { type: 'judged'; id: number; judge: string; verdict: ImageVerdict }
  | { type: 'unloaded'; id: number }
  | { type: 'cache-deleted'; id: number; modelId: string; files: number }
  | { type: 'error'; id: number; error: WireError };
