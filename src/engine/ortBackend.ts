import type { DiffusionBackend, Handle, MaskedStepArgs, MaskedStepResult, ModelGeometry, StepArgs } from '../core/pipeline/backend.ts';
import type { ModelEntry } from '../core/manifest.ts';
import type { ExecutionProvider, Ort, OrtRunResult, OrtSession, OrtTensor } from './ort.ts';

export interface DiffusionSessions {
  textEncoder: OrtSession;
  unet: OrtSession;
  vaeDecoder: OrtSession;
  latentStep: OrtSession;
  scaleExpand: OrtSession;
  concat2: OrtSession;
  /** Opened on first use (SLD): a stack of 3 embeddings, and SLD's guidance. */
  concat3?: OrtSession;
  sldGuidance?: OrtSession;
  /** Opened on first use (tin-mask): a stack of 5 embeddings, and its step. */
  concat5?: OrtSession;
  maskedStep?: OrtSession;
}

interface TensorHandle extends Handle {
  readonly tensor: OrtTensor;
}

/**
 * DiffusionBackend over onnxruntime-web sessions. On WebGPU every session writes its outputs to
 * GPU buffers ('gpu-buffer') and takes them back as inputs, so between steps nothing crosses to
 * the CPU; only small scalars (timestep, coefficients) go up, and `read` is the only way down.
 */
export class OrtBackend implements DiffusionBackend {
  readonly geometry: ModelGeometry;
  private reads = 0;
  /** Milliseconds spent inside session.run, to separate runtime from JS overhead in benchmarks. */
  runtimeMs = 0;
  /** onnxruntime-web's WebGPU provider hangs on overlapping run() calls, so runs go one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ort: Ort,
    private readonly sessions: DiffusionSessions,
    private readonly entry: ModelEntry,
    readonly provider: ExecutionProvider,
    /** Opens a helper graph of public/graphs by file name (for the sessions opened on first use). */
    private readonly openGraph?: (file: string) => Promise<OrtSession>,
  ) {
    this.geometry = {
      latentChannels: entry.latent.channels,
      latentHeight: entry.latent.height,
      latentWidth: entry.latent.width,
      scalingFactor: entry.latent.scalingFactor,
    };
  }

  get readbacks(): number {
    return this.reads;
  }

  private exclusive<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private timed(session: OrtSession, feeds: Record<string, OrtTensor>, fetches?: string[]): Promise<OrtRunResult> {
    return this.exclusive(async () => {
      const t0 = performance.now();
      const out = fetches ? await session.run(feeds, fetches) : await session.run(feeds);
      this.runtimeMs += performance.now() - t0;
      return out;
    });
  }

  private async run(session: OrtSession, feeds: Record<string, OrtTensor>, output: string): Promise<TensorHandle> {
    const out = await this.timed(session, feeds, [output]);
    const tensor = out[output];
    if (!tensor) throw new Error(`Session returned no "${output}" output`);
    return { tensor, dims: tensor.dims };
  }

  private t(h: Handle): OrtTensor {
    return (h as TensorHandle).tensor;
  }

  async encodeText(ids: Int32Array): Promise<TensorHandle> {
    const { ort, entry } = this;
    const input =
      entry.textEncoder.inputIdsDtype === 'int64'
        ? new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length])
        : new ort.Tensor('int32', ids, [1, ids.length]);
    return this.run(this.sessions.textEncoder, { input_ids: input }, entry.textEncoder.outputName);
  }

  async stack(parts: Handle[]): Promise<Handle> {
    if (parts.length === 3) {
      const concat3 = await this.lazy('concat3', 'concat3.onnx');
      return this.run(concat3, { e0: this.t(parts[0]!), e1: this.t(parts[1]!), e2: this.t(parts[2]!) }, 'stacked');
    }
    if (parts.length === 5) {
      const concat5 = await this.lazy('concat5', 'concat5.onnx');
      return this.run(concat5, Object.fromEntries(parts.map((p, i) => [`e${i}`, this.t(p)])), 'stacked');
    }
    if (parts.length !== 2) throw new Error(`stack supports 2, 3 or 5 embeddings, got ${parts.length}`);
    return this.run(this.sessions.concat2, { e0: this.t(parts[0]!), e1: this.t(parts[1]!) }, 'stacked');
  }

  private opening = new Map<string, Promise<OrtSession>>();
  private lazy(key: 'concat3' | 'concat5' | 'sldGuidance' | 'maskedStep', file: string): Promise<OrtSession> {
    const ready = this.sessions[key];
    if (ready) return Promise.resolve(ready);
    let p = this.opening.get(key);
    if (!p) {
      if (!this.openGraph) throw new Error(`The ${file} helper graph is not loaded`);
      p = this.openGraph(file).then((s) => (this.sessions[key] = s));
      this.opening.set(key, p);
    }
    return p;
  }

  /** SLD's guidance on a batch-3 UNet output; see public/graphs/sld_guidance.onnx for the formula. */
  async sldGuide(modelOutput: Handle, momentum: Handle, params: number[]): Promise<{ guided: Handle; momentum: Handle }> {
    const session = await this.lazy('sldGuidance', 'sld_guidance.onnx');
    const feeds = { model_output: this.t(modelOutput), momentum: this.t(momentum), params: new this.ort.Tensor('float32', Float32Array.from(params), [6]) };
    const out = await this.timed(session, feeds);
    return { guided: { tensor: out.guided!, dims: out.guided!.dims } as TensorHandle, momentum: { tensor: out.next_momentum!, dims: out.next_momentum!.dims } as TensorHandle };
  }

  /** One step of tin-mask; see public/graphs/masked_step.onnx for the formula. */
  async maskedStep(a: MaskedStepArgs): Promise<MaskedStepResult> {
    const session = await this.lazy('maskedStep', 'masked_step.onnx');
    const f32 = (v: number[]) => new this.ort.Tensor('float32', Float32Array.from(v), [v.length]);
    const out = await this.timed(session, {
      sample: this.t(a.sample),
      edit_sample: this.t(a.edit),
      model_output: this.t(a.modelOutput),
      noise: this.t(a.noise),
      weights: f32(a.weights),
      accumulated: this.t(a.accumulated),
      params: f32(a.params),
      coeffs: f32(a.coeffs),
      unet_shape: this.shape(a.nextBatch),
      edit_shape: this.shape(a.editBatch),
    });
    const h = (name: string): TensorHandle => ({ tensor: out[name]!, dims: out[name]!.dims });
    return { next: h('next_sample'), nextEdit: h('next_edit'), denoised: h('denoised'), unetInput: h('next_unet_input'), accumulated: h('next_accumulated'), mask: h('mask') };
  }

  upload(data: Float32Array, dims: number[]): TensorHandle {
    return { tensor: new this.ort.Tensor('float32', data, dims), dims };
  }

  private shape(batch: number): OrtTensor {
    const g = this.geometry;
    return new this.ort.Tensor('int64', BigInt64Array.from([batch, g.latentChannels, g.latentHeight, g.latentWidth], BigInt), [4]);
  }

  async scaleExpand(x: Handle, scale: number, batch: number): Promise<Handle> {
    const feeds = { x: this.t(x), scale: new this.ort.Tensor('float32', Float32Array.of(scale), [1]), shape: this.shape(batch) };
    return this.run(this.sessions.scaleExpand, feeds, 'y');
  }

  async unet(sample: Handle, timestep: number, context: Handle): Promise<Handle> {
    const { ort, entry } = this;
    const n = entry.unet.timestepShape === 'batch' ? sample.dims[0]! : 1;
    const t =
      entry.unet.timestepDtype === 'int64'
        ? new ort.Tensor('int64', new BigInt64Array(n).fill(BigInt(Math.round(timestep))), [n])
        : new ort.Tensor('float32', new Float32Array(n).fill(timestep), [n]);
    const feeds = { sample: this.t(sample), timestep: t, encoder_hidden_states: this.t(context) };
    return this.run(this.sessions.unet, feeds, entry.unet.outputName);
  }

  async step(a: StepArgs): Promise<{ next: Handle; denoised: Handle; unetInput: Handle }> {
    const { ort } = this;
    const feeds = {
      sample: this.t(a.sample),
      model_output: this.t(a.modelOutput),
      noise: this.t(a.noise),
      weights: new ort.Tensor('float32', Float32Array.from(a.weights), [a.weights.length]),
      coeffs: new ort.Tensor('float32', Float32Array.from(a.coeffs), [6]),
      unet_shape: this.shape(a.nextBatch),
    };
    const out = await this.timed(this.sessions.latentStep, feeds);
    const h = (name: string): TensorHandle => ({ tensor: out[name]!, dims: out[name]!.dims });
    return { next: h('next_sample'), denoised: h('denoised'), unetInput: h('next_unet_input') };
  }

  async decode(latents: Handle): Promise<Handle> {
    const { vaeDecoder } = this.entry;
    return this.run(this.sessions.vaeDecoder, { [vaeDecoder.inputName]: this.t(latents) }, vaeDecoder.outputName);
  }

  async read(h: Handle): Promise<Float32Array> {
    this.reads++;
    const data = await this.t(h).getData();
    if (!(data instanceof Float32Array)) throw new Error(`Expected float32 data, got ${this.t(h).type}`);
    return data;
  }

  release(h: Handle): void {
    const tensor = this.t(h);
    if (tensor.location === 'gpu-buffer') tensor.dispose();
  }
}
