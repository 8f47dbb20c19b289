import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kioskPolicyJson } from '../../tools/kiosk/build-kiosk.ts';
import { bakedKiosk } from '../../src/app/lib/kiosk.ts';
import { appManifest } from './helpers/engine.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kiosk-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, value: unknown) => {
  const p = join(tmp, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};
const artifact = {
  format: 'ores-instruction', version: 1, id: 'a1', instruction: 'Rewrite the caption without the banned concepts.', modelId: 'Llama-3.2-1B-Instruct-q4f32_1-MLC',
  modelFamily: 'llama', trainingSet: { hash: `sha256:${'0'.repeat(64)}`, size: 3 }, task: 'task', initialInstruction: 'start',
  settings: { epochs: 1, batchSize: 2, seed: 42, temperature: 0, shuffle: true, maxHistory: 4 }, createdAt: '2026-01-01T00:00:00.000Z', trace: [],
};

describe('npm run build:kiosk: the policy baked into the bundle', () => {
  it('validates the policy and inlines its instruction file, so the built kiosk needs no other file', () => {
    file('instr.json', artifact);
    const json = kioskPolicyJson(file('museum.json', { bannedConcepts: ['red'], instruction: 'instr.json', llmModel: artifact.modelId }));
    const baked = bakedKiosk(json, appManifest);
    expect(baked.mode).toBe('kiosk');
    expect(baked.mode === 'kiosk' && baked.policy.instruction?.id).toBe('a1');
  });

  it('refuses to build a broken policy, naming the problem', () => {
    expect(() => kioskPolicyJson(file('bad.json', { bannedConcepts: [], switchFraction: 0.9 }))).toThrow(/bannedConcepts: the policy must ban at least one concept[\s\S]*switchFraction: must be at most 0.5/);
    expect(() => kioskPolicyJson(file('model.json', { bannedConcepts: ['red'], model: 'sd-99' }))).toThrow(/model: "sd-99" is not in the models manifest/);
    expect(() => kioskPolicyJson(join(tmp, 'missing.json'))).toThrow(/could not be read \(ENOENT\)/);
  });
});
