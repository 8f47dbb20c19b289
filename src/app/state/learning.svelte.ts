/**
 * Instruction learning in the page: read a training set, run learnInstruction on the loaded LLM
 * with progress and the full trace, keep artifacts in IndexedDB (one active, used by the LLM
 * rewriter), import and export them as JSON.
 */
import { asOresError, InvalidInputError, type OresError } from '../../core/errors.ts';
import type { Lexicon } from '../../core/guard/lexicon.ts';
import { parseInstructionArtifact, serializeInstructionArtifact, type InstructionArtifact, type TraceStep } from '../../core/rewrite/artifact.ts';
import { learnInstruction, type LearningProgress } from '../../core/rewrite/instructionLearning.ts';
import { parseTrainingSet, type TrainingSample } from '../../core/rewrite/trainingSet.ts';
import * as store from '../../engine/llm/instructionStore.ts';
import { saveBlob } from '../lib/download.ts';
import type { LlmHandle } from '../lib/rewrite.ts';


export class LearningState {
  samples = $state.raw<readonly TrainingSample[] | null>(null);
  source = $state('');
  setError = $state.raw<OresError | null>(null);
  epochs = $state('3');
  batchSize = $state('4');
  running = $state(false);
  progress = $state.raw<LearningProgress | null>(null);
  log = $state.raw<readonly string[]>([]);
  trace = $state.raw<readonly TraceStep[]>([]);
  runError = $state.raw<OresError | null>(null);
  artifact = $state.raw<InstructionArtifact | null>(null);
  saved = $state.raw<readonly InstructionArtifact[]>([]);
  activeId = $state<string | null>(null);
  importError = $state.raw<OresError | null>(null);
  storeError = $state.raw<OresError | null>(null);
  private abort: AbortController | null = null;

  /** The active artifact's instruction, when it was learned for this model. */
  instructionFor(modelId: string | undefined): string | undefined {
    const a = this.saved.find((x) => x.id === this.activeId);
    return a && a.modelId === modelId ? a.instruction : undefined;
  }

  async refresh(): Promise<void> {
    try {
      const ids = await store.listInstructionIds();
      const all = await Promise.all(ids.map((id) => store.loadInstruction(id).catch(() => undefined)));
      this.saved = all.filter((a): a is InstructionArtifact => a !== undefined).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      this.activeId = (await store.getActiveInstruction().catch(() => undefined))?.id ?? null;
      this.storeError = null;
    } catch (e) {
      this.storeError = asOresError(e, 'storage-unavailable');
    }
  }

  async readTrainingFile(file: File): Promise<void> {
    this.setError = null;
    this.samples = null;
    this.source = file.name;
    try {
      this.samples = parseTrainingSet(await file.text(), file.name);
    } catch (e) {
      this.setError = asOresError(e, 'training-set-invalid');
    }
  }

  async learn(llm: LlmHandle | null, lexicon: Promise<Lexicon | null>): Promise<void> {
    if (this.running) return;
    this.runError = null;
    if (!llm) {
      this.runError = new InvalidInputError('no-llm', 'Instruction learning needs a local language model: load one first (it needs WebGPU).');
      return;
    }
    if (!this.samples) {
      this.runError = new InvalidInputError('training-set-missing', 'Choose a training set file first.');
      return;
    }
    const epochs = Number(this.epochs);
    const batchSize = Number(this.batchSize);
    const abort = (this.abort = new AbortController());
    this.running = true;
    this.log = [];
    this.trace = [];
    this.artifact = null;
    this.progress = null;
    try {
      const artifact = await learnInstruction({
        engine: llm.engine,
        modelId: llm.modelId,
        samples: this.samples,
        source: this.source,
        epochs,
        batchSize,
        lexicon: await lexicon,
        signal: abort.signal,
        onProgress: (p) => {
          this.progress = p;
          this.log = [...this.log, `[${p.step}/${p.steps}] ${p.message}`];
          if (p.traceStep) this.trace = [...this.trace, p.traceStep];
        },
      });
      this.artifact = artifact;
      this.trace = artifact.trace;
      await this.keep(artifact);
    } catch (e) {
      this.runError = asOresError(e, 'learning-failed');
    } finally {
      this.running = false;
      this.abort = null;
    }
  }

  cancel(): void {
    this.abort?.abort();
  }

  /** Saves in IndexedDB and makes it the active instruction. */
  private async keep(artifact: InstructionArtifact): Promise<void> {
    try {
      await store.saveInstruction(artifact);
      await store.setActiveInstruction(artifact.id);
      await this.refresh();
    } catch (e) {
      this.storeError = asOresError(e, 'storage-unavailable');
    }
  }

  async importFile(file: File): Promise<void> {
    this.importError = null;
    try {
      const artifact = parseInstructionArtifact(await file.text());
      await this.keep(artifact);
      this.artifact = artifact;
      this.trace = artifact.trace;
    } catch (e) {
      this.importError = asOresError(e, 'artifact-invalid');
    }
  }

  async activate(id: string | null): Promise<void> {
    await store.setActiveInstruction(id ?? undefined);
    this.activeId = id;
  }

  async remove(id: string): Promise<void> {
    await store.deleteInstruction(id);
    await this.refresh();
  }

  exportArtifact(artifact: InstructionArtifact): void {
    saveBlob(new Blob([serializeInstructionArtifact(artifact)], { type: 'application/json' }), `ores-instruction-${artifact.id}.json`);
  }
}
