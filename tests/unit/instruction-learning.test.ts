import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequestNonStreaming } from '@mlc-ai/web-llm';
import { CancelledError, InvalidInputError } from '../../src/core/errors.ts';
import {
  artifactMatchesTrainingSet,
  hashTrainingSet,
  parseInstructionArtifact,
  serializeInstructionArtifact,
  sha256Hex,
} from '../../src/core/rewrite/artifact.ts';
import { INSTRUCTION_RESPONSE_FORMAT, learnInstruction, seededShuffle, type LearningProgress } from '../../src/core/rewrite/instructionLearning.ts';
import { DEFAULT_INSTRUCTIONS } from '../../src/core/rewrite/instructions.ts';
import { readDataBlock } from '../../src/core/rewrite/prompt.ts';
import { parseTrainingJson, parseTrainingSet, parseTrainingText, type TrainingSample } from '../../src/core/rewrite/trainingSet.ts';
import { FakeChatEngine, instructionReply, oresDataDir, rewritten, testLexicon } from './helpers/fakeChatEngine.ts';

const paperTraining = oresDataDir + 'training.txt';
const MODEL = 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC';

/** Synthetic samples (our own sentences). */
const SAMPLES: TrainingSample[] = Array.from({ length: 7 }, (_, i) => ({
  input: `caption ${i}: a red ball number ${i}`,
  concepts: i % 2 === 0 ? ['red'] : ['red', 'ball'],
  outputs: [`a blue ball number ${i}`, `a green ball number ${i}`],
}));

const isLearnerCall = (r: ChatCompletionRequestNonStreaming): boolean => r.response_format?.schema === INSTRUCTION_RESPONSE_FORMAT.schema;
const userText = (r: ChatCompletionRequestNonStreaming | undefined): string => {
  const m = r?.messages[r.messages.length - 1];
  return typeof m?.content === 'string' ? m.content : '';
};

/** A scripted learner: instructions "I0", "I1", ...; answers "<instruction> | <input>". */
function learnerEngine(): FakeChatEngine {
  let next = 0;
  return new FakeChatEngine((req) => {
    if (isLearnerCall(req)) return instructionReply(`I${next++}`);
    const system = typeof req.messages[0]?.content === 'string' ? req.messages[0].content : '';
    const data = readDataBlock(userText(req));
    return rewritten(`${system} answers ${data?.input_caption.replace('red', 'blue')}`);
  });
}

describe('training sets', () => {
  it.skipIf(!existsSync(paperTraining))("reads the paper's training.txt", () => {
    const samples = parseTrainingText(readFileSync(paperTraining, 'utf8'), 'training.txt');
    expect(samples).toHaveLength(12);
    for (const s of samples) {
      expect(s.input.length).toBeGreaterThan(0);
      expect(s.concepts.length).toBeGreaterThan(0);
      expect(s.outputs).toHaveLength(3);
      expect(s.line).toBeGreaterThan(0);
    }
    expect(samples.some((s) => s.concepts.length > 1)).toBe(true); // "a, b" concept lists are split
    expect(samples.map((s) => s.line)).toEqual([...samples.map((s) => s.line)].sort((a, b) => (a ?? 0) - (b ?? 0)));
  });

  it('gives line-numbered errors for malformed text', () => {
    const ok = 'Input Caption: a red ball\nConcept: red\nOutput Caption1: a blue ball\n';
    expect(parseTrainingText(`${ok}\n\n${ok}`)).toHaveLength(2);
    expect(parseTrainingText(ok.replace(/\n/g, '\r\n'))).toHaveLength(1);
    expect(() => parseTrainingText(`${ok}\nInput Caption: x\nConcept red\n`)).toThrow(/line 6: expected "Input Caption:"/);
    expect(() => parseTrainingText('Input Caption: x\nOutput Caption1: y\n')).toThrow(/line 2: "Output Caption" comes before the "Concept:" line/);
    expect(() => parseTrainingText('Input Caption: x\nConcept: red\n\nInput Caption: z\nConcept: b\nOutput Caption: c')).toThrow(/block starting at line 1.*no "Output Caption:" line/);
    expect(() => parseTrainingText('Concept: red\n')).toThrow(/line 1: "Concept:" comes before any "Input Caption:"/);
    expect(() => parseTrainingText('\n\n')).toThrow(InvalidInputError);
  });

  it('reads JSON training sets, with the failing path in errors', () => {
    const json = [
      { input: 'a red ball', concepts: ['red'], outputs: ['a blue ball'] },
      { input_caption: 'a dog', concept: 'dog, running', output_captions: ['a cat'] },
    ];
    const samples = parseTrainingJson(JSON.stringify(json));
    expect(samples[1]).toEqual({ input: 'a dog', concepts: ['dog', 'running'], outputs: ['a cat'] });
    expect(parseTrainingSet(JSON.stringify({ samples: json }))).toEqual(samples);
    expect(() => parseTrainingJson([{ input: 'x', concepts: ['red'], outputs: [] }])).toThrow(/\[0\]\.outputs/);
    expect(() => parseTrainingJson([json[0], { input: 'x', outputs: ['y'] }])).toThrow(/\[1\].*"concepts" is required/);
    expect(() => parseTrainingJson('{oops')).toThrow(/not valid JSON/);
  });

  it('hashes the same samples the same way whatever the format', async () => {
    const text = 'Input Caption: a red ball\nConcept: red, ball\nOutput Caption1: a blue cube\nOutput Caption2: a green cube\n';
    const json = JSON.stringify([{ input: 'a red ball', concepts: ['red', 'ball'], outputs: ['a blue cube', 'a green cube'] }]);
    expect(await hashTrainingSet(parseTrainingSet(text))).toBe(await hashTrainingSet(parseTrainingSet(json)));
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('instruction learning', () => {
  it('runs epochs x mini-batches: answers with the current instruction, packs results, updates with history', async () => {
    const engine = learnerEngine();
    const events: LearningProgress[] = [];
    const artifact = await learnInstruction({
      engine,
      modelId: MODEL,
      samples: SAMPLES,
      epochs: 2,
      batchSize: 3,
      maxHistory: 2,
      lexicon: testLexicon(),
      onProgress: (e) => events.push(e),
      now: () => new Date('2026-01-02T03:04:05Z'),
    });
    const batches = 3; // 7 samples in batches of 3, 3, 1
    expect(engine.calls).toBe(1 + 2 * (SAMPLES.length + batches));
    expect(artifact.initialInstruction).toBe('I0');
    expect(artifact.instruction).toBe('I6');
    expect(artifact.trace).toHaveLength(2 * batches);
    expect(artifact.trace.map((t) => [t.epoch, t.batch, t.results.length])).toEqual([
      [1, 1, 3], [1, 2, 3], [1, 3, 1],
      [2, 1, 3], [2, 2, 3], [2, 3, 1],
    ]);
    artifact.trace.forEach((t, k) => {
      expect(t.instructionBefore).toBe(`I${k}`);
      expect(t.instructionAfter).toBe(`I${k + 1}`);
      expect(t.kept).toBe(false);
      for (const r of t.results) {
        const sample = SAMPLES.find((s) => s.input === r.input);
        expect(sample).toBeDefined();
        expect(r.concepts).toEqual(sample?.concepts);
        expect(r.groundTruths).toEqual(sample?.outputs);
        // answered with the instruction in force at that step
        expect(r.answer).toBe(`I${k} answers ${r.input.replace('red', 'blue')}`);
      }
    });
    // every sample is answered once per epoch
    for (const epoch of [1, 2]) {
      const inputs = artifact.trace.filter((t) => t.epoch === epoch).flatMap((t) => t.results.map((r) => r.input));
      expect(inputs.sort()).toEqual(SAMPLES.map((s) => s.input).sort());
    }

    // the update prompts: current instruction, bounded history of earlier ones, packed results as data
    const updates = engine.requests.filter(isLearnerCall).slice(1);
    expect(updates).toHaveLength(2 * batches);
    updates.forEach((req, k) => {
      const u = userText(req);
      expect(u).toContain(`--- current instruction ---\nI${k}\n`);
      const earlier = [...u.matchAll(/--- earlier instruction \d+ ---\n(I\d+)/g)].map((m) => m[1]);
      expect(earlier).toEqual(Array.from({ length: k }, (_, i) => `I${i}`).slice(-2));
      const packed = JSON.parse(/<results>\n(.*)\n<\/results>/.exec(u)?.[1] ?? '[]') as { input_caption: string; ground_truths: string[]; model_answer: string }[];
      expect(packed.map((p) => p.input_caption)).toEqual(artifact.trace[k]?.results.map((r) => r.input));
      expect(packed[0]?.ground_truths).toEqual(artifact.trace[k]?.results[0]?.groundTruths);
      expect(packed[0]?.model_answer).toBe(artifact.trace[k]?.results[0]?.answer);
      expect(req.response_format).toEqual(INSTRUCTION_RESPONSE_FORMAT);
    });

    // progress: initial, one per answer, one per update, done; steps count up to the total
    expect(events[0]?.phase).toBe('initial');
    expect(events.filter((e) => e.phase === 'answer')).toHaveLength(2 * SAMPLES.length);
    expect(events.filter((e) => e.phase === 'update')).toHaveLength(2 * batches);
    const last = events[events.length - 1];
    expect(last).toMatchObject({ phase: 'done', step: engine.calls, steps: engine.calls, instruction: 'I6' });

    // the artifact
    expect(artifact).toMatchObject({ modelId: MODEL, modelFamily: 'qwen', createdAt: '2026-01-02T03:04:05.000Z' });
    expect(artifact.trainingSet).toEqual({ hash: await hashTrainingSet(SAMPLES), size: SAMPLES.length });
    expect(artifact.settings).toEqual({ epochs: 2, batchSize: 3, seed: 42, temperature: 0, shuffle: true, maxHistory: 2 });
    const reloaded = parseInstructionArtifact(serializeInstructionArtifact(artifact));
    expect(reloaded).toEqual(artifact);
    expect(await artifactMatchesTrainingSet(reloaded, SAMPLES)).toBe(true);
    expect(await artifactMatchesTrainingSet(reloaded, SAMPLES.slice(1))).toBe(false);
  });

  it('notes what the guard still finds in answers, and answer problems', async () => {
    const engine = new FakeChatEngine((req) => {
      if (isLearnerCall(req)) return instructionReply('keep going');
      const input = readDataBlock(userText(req))?.input_caption ?? '';
      return input.includes('0') ? rewritten('a crimson ball') : { content: 'not json' };
    });
    const artifact = await learnInstruction({
      engine, modelId: MODEL, samples: SAMPLES.slice(0, 2), epochs: 1, batchSize: 2, shuffle: false, initialInstruction: 'start here', lexicon: testLexicon(),
    });
    expect(engine.calls).toBe(3); // no initial-instruction call
    expect(artifact.initialInstruction).toBe('start here');
    const [first, second] = artifact.trace[0]?.results ?? [];
    expect(first).toMatchObject({ answer: 'a crimson ball', leaked: ['crimson'] });
    expect(second).toMatchObject({ answer: null, problem: expect.stringMatching(/not valid JSON/) });
    expect(userText(engine.requests[2])).toContain('"leaked":["crimson"]');
  });

  it('keeps the instruction when an update is unusable, and falls back to the default when the first one is', async () => {
    const engine = new FakeChatEngine((req) => (isLearnerCall(req) ? { content: 'Sure, here is a better instruction!' } : rewritten('a blue ball')));
    const artifact = await learnInstruction({ engine, modelId: 'SmolLM2-360M-Instruct-q4f32_1-MLC', samples: SAMPLES.slice(0, 2), epochs: 1, batchSize: 2 });
    expect(artifact.initialInstruction).toBe(DEFAULT_INSTRUCTIONS.smollm);
    expect(artifact.notes?.[0]).toMatch(/no usable initial instruction/);
    expect(artifact.trace[0]).toMatchObject({ kept: true, instructionAfter: DEFAULT_INSTRUCTIONS.smollm, updateProblem: expect.stringMatching(/not valid JSON/) });
    expect(artifact.instruction).toBe(DEFAULT_INSTRUCTIONS.smollm);
    // 2 tries for the initial instruction, 2 answers, 2 tries for the update
    expect(engine.calls).toBe(6);
  });

  it('shuffles deterministically, validates its settings and can be cancelled', async () => {
    expect(seededShuffle([1, 2, 3, 4, 5, 6], 7)).toEqual(seededShuffle([1, 2, 3, 4, 5, 6], 7));
    expect(seededShuffle([1, 2, 3, 4, 5, 6], 7).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const engine = learnerEngine();
    await expect(learnInstruction({ engine, modelId: MODEL, samples: [], epochs: 1 })).rejects.toMatchObject({ code: 'training-set-empty' });
    await expect(learnInstruction({ engine, modelId: MODEL, samples: SAMPLES, epochs: 0 })).rejects.toMatchObject({ code: 'bad-epochs' });
    const ac = new AbortController();
    const run = learnInstruction({
      engine, modelId: MODEL, samples: SAMPLES, epochs: 3, signal: ac.signal,
      onProgress: (e) => {
        if (e.phase === 'update') ac.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  });

  it.skipIf(!existsSync(paperTraining))("runs over the paper's training set and its artifact reloads", async () => {
    const samples = parseTrainingSet(readFileSync(paperTraining, 'utf8'), 'training.txt');
    const engine = learnerEngine();
    const artifact = await learnInstruction({ engine, modelId: MODEL, samples, epochs: 1, batchSize: 4, source: 'training.txt' });
    expect(artifact.trace).toHaveLength(3);
    expect(artifact.trainingSet).toMatchObject({ size: 12, source: 'training.txt' });
    expect(parseInstructionArtifact(JSON.parse(JSON.stringify(artifact)))).toEqual(artifact);
  });

  it('rejects an artifact that is not one, naming the field', () => {
    expect(() => parseInstructionArtifact('{')).toThrow(/not valid JSON/);
    expect(() => parseInstructionArtifact({ format: 'ores-instruction', version: 1 })).toThrow(/artifact: id/);
    expect(() => parseInstructionArtifact([])).toThrow(InvalidInputError);
  });
});
