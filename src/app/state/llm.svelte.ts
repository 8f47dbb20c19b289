/**
 * The optional local language model (WebLLM in its own worker). Nothing of WebLLM is loaded until
 * the user asks for the model (or a kiosk policy names one): without it the rewrite uses the
 * offline fallback, and instruction learning is unavailable.
 */
import type { DeviceCapabilities } from '../../core/capabilities.ts';
import { asOresError, CapabilityError, type OresError } from '../../core/errors.ts';
import type { LlmProgress } from '../../engine/llm/engineClient.ts';
import { persistence } from '../lib/modelCache.ts';
import type { LlmHandle } from '../lib/rewrite.ts';

export interface LlmChoice {
  readonly modelId: string;
  readonly reason: string;
  readonly vramMB: number;
}

export class LlmState {
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  progress = $state.raw<LlmProgress | null>(null);
  error = $state.raw<OresError | null>(null);
  handle = $state.raw<LlmHandle | null>(null);
  choice = $state.raw<LlmChoice | null>(null);

  /** Why no LLM can run here at all (no WebGPU), or undefined. */
  unavailable(caps: DeviceCapabilities | null): string | undefined {
    if (caps && !caps.webgpu) return 'This browser has no WebGPU, so no local language model can run here.';
    return undefined;
  }

  /** Picks the model for this GPU (shader-f16 or not); WebLLM's model list is loaded here, on demand. */
  async choose(caps: DeviceCapabilities | null): Promise<LlmChoice | null> {
    try {
      if (caps && !caps.webgpu) throw new CapabilityError('needs-webgpu', 'The local language model needs WebGPU, which this browser does not offer.');
      const { chooseModel } = await import('../../engine/llm/models.ts');
      const c = chooseModel({ webgpu: caps?.webgpu ?? true, shaderF16: caps?.shaderF16 ?? false });
      this.choice = { modelId: c.modelId, reason: c.reason, vramMB: c.vramMB };
      return this.choice;
    } catch (e) {
      this.error = asOresError(e, 'llm-load-failed');
      this.status = 'error';
      return null;
    }
  }

  /** Downloads (first time; cached in IndexedDB afterwards) and starts the model. */
  async load(modelId: string): Promise<boolean> {
    if (this.status === 'loading') return false;
    this.status = 'loading';
    this.error = null;
    this.progress = null;
    try {
      const { LlmEngineClient, createLlmWorker, isModelCached } = await import('../../engine/llm/engineClient.ts');
      // A first download is hundreds of MB: ask the browser to keep it (the answer shows under "Storage").
      if (!(await isModelCached(modelId).catch(() => false))) await persistence(true);
      const client = await LlmEngineClient.create(createLlmWorker(), modelId, { onProgress: (p) => (this.progress = p) });
      this.handle = { engine: client.engine, modelId: client.modelId };
      this.status = 'ready';
      return true;
    } catch (e) {
      this.error = asOresError(e, 'llm-load-failed', `Could not start ${modelId}: `);
      this.status = 'error';
      return false;
    }
  }
}
