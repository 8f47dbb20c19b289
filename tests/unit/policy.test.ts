import { describe, expect, it } from 'vitest';
import manifestJson from '../../models-manifest/models.json';
import { InvalidInputError } from '../../src/core/errors.ts';
import { parseManifest } from '../../src/core/manifest.ts';
import { checkPolicyInstruction, checkPolicyModel, parsePolicy } from '../../src/core/policy/schema.ts';
import type { InstructionArtifact } from '../../src/core/rewrite/artifact.ts';

const artifact: InstructionArtifact = {
  format: 'ores-instruction',
  version: 1,
  id: 'a1',
  instruction: 'Rewrite the caption without the banned concepts.',
  modelId: 'Llama-3.2-1B-Instruct-q4f32_1-MLC',
  modelFamily: 'llama',
  trainingSet: { hash: `sha256:${'0'.repeat(64)}`, size: 3 },
  task: 'task',
  initialInstruction: 'start',
  settings: { epochs: 1, batchSize: 2, seed: 42, temperature: 0, shuffle: true, maxHistory: 4 },
  createdAt: '2026-01-01T00:00:00.000Z',
  trace: [],
};

function problem(input: unknown): string {
  try {
    parsePolicy(input, 'kiosk.json');
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).code).toBe('policy-invalid');
    return (e as Error).message;
  }
  throw new Error('expected the policy to be rejected');
}

describe('kiosk policy', () => {
  it('accepts a minimal policy and a full one', () => {
    expect(parsePolicy({ bannedConcepts: ['red'] })).toEqual({ bannedConcepts: ['red'], method: 'tin', verification: 'required', maxRetries: 2, auditPrompts: false });
    const full = parsePolicy(
      JSON.stringify({
        format: 'ores-policy',
        version: 1,
        title: 'Museum',
        bannedConcepts: [' red ', 'dog'],
        instruction: artifact,
        model: 'ores-tiny-world',
        llmModel: artifact.modelId,
        switchFraction: 0.2,
        method: 'tin-mask',
      }),
    );
    expect(full.method).toBe('tin-mask');
    expect(full.bannedConcepts).toEqual(['red', 'dog']);
    expect(full.switchFraction).toBe(0.2);
    expect(typeof full.instruction).toBe('object');
    expect(parsePolicy({ bannedConcepts: ['red'], instruction: 'instruction.json' }).instruction).toBe('instruction.json');
  });

  it('names what is wrong', () => {
    expect(problem('{ nope')).toMatch(/kiosk\.json is not valid JSON/);
    expect(problem({})).toMatch(/bannedConcepts: /);
    expect(problem({ bannedConcepts: [] })).toMatch(/bannedConcepts: the policy must ban at least one concept/);
    expect(problem({ bannedConcepts: ['red', '  '] })).toMatch(/bannedConcepts\.1: a banned concept is empty/);
    expect(problem({ bannedConcepts: ['red', '!!'] })).toMatch(/bannedConcepts\.1: a banned concept has no letters or digits/);
    expect(problem({ bannedConcepts: 'red' })).toMatch(/bannedConcepts: .*array/i);
    expect(problem({ bannedConcepts: ['red'], switchFraction: 1.5 })).toMatch(/switchFraction: must be at most 0.5: after half the steps/);
    expect(problem({ bannedConcepts: ['red'], switchFraction: 0.6 })).toMatch(/switchFraction: must be at most 0.5/); // leaves the rewrite nothing to do
    expect(parsePolicy({ bannedConcepts: ['red'], switchFraction: 0.5 }).switchFraction).toBe(0.5);
    expect(problem({ bannedConcepts: ['red'], verification: 'maybe' })).toMatch(/verification: /);
    expect(problem({ bannedConcepts: ['red'], method: 'negative' })).toMatch(/method: .*"tin".*"tin-mask"/); // a kiosk runs TIN or TIN + MASK, never a baseline
    expect(problem({ bannedConcepts: ['red'], method: 'TIN' })).toMatch(/method: /);
    expect(problem({ bannedConcepts: ['red'], maxRetries: 9 })).toMatch(/maxRetries: /);
    expect(problem({ bannedConcepts: ['red'], bannedConcept: ['dog'] })).toMatch(/bannedConcept/);
    expect(problem({ bannedConcepts: ['red'], version: 2 })).toMatch(/version: /);
    expect(problem({ bannedConcepts: ['red', 'Red'] })).toMatch(/"Red" is listed twice/);
    expect(problem({ bannedConcepts: ['red'], instruction: { ...artifact, instruction: '' } })).toMatch(/instruction\.instruction: /);
    expect(problem({ bannedConcepts: ['red'], instruction: 42 })).toMatch(/instruction: must be an ores-instruction artifact or a URL string/);
  });

  it('lists every problem, one per line', () => {
    const m = problem({ bannedConcepts: [], switchFraction: -1 });
    expect(m.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(2);
  });

  it('checks the model against the manifest and the instruction against the LLM', () => {
    const manifest = parseManifest(manifestJson);
    expect(() => checkPolicyModel({ model: manifest.defaultModel }, manifest)).not.toThrow();
    expect(() => checkPolicyModel({}, manifest)).not.toThrow();
    expect(() => checkPolicyModel({ model: 'sd-99' }, manifest)).toThrow(/model: "sd-99" is not in the models manifest/);
    expect(() => checkPolicyInstruction({ llmModel: artifact.modelId }, artifact)).not.toThrow();
    expect(() => checkPolicyInstruction({ llmModel: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC' }, artifact)).toThrow(/learned for "Llama/);
  });
});
