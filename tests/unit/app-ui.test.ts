// The first-five-minutes helpers of the page (issue 13): wording of the switch, the placeholder,
// the vocabulary strip, the lessons, long-prompt cuts and the warm-up run.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stepRange, switchSummary } from '../../src/app/lib/format.ts';
import { applyLesson, LESSONS } from '../../src/app/lib/lessons.ts';
import { MIN_CHARS_TO_CUT, promptCut } from '../../src/app/lib/promptTokens.ts';
import { defaultSettings } from '../../src/app/lib/settings.ts';
import { warmUpRequest } from '../../src/app/lib/warmup.ts';
import { drawableGroups, examplePrompt } from '../../src/app/lib/worldWords.ts';
import { createGuard } from '../../src/core/guard/guard.ts';
import { findModel } from '../../src/core/manifest.ts';
import { createClipTokenizer } from '../../src/engine/clipTokenizer.ts';
import { generate } from '../../src/engine/generate.ts';
import { appManifest, loadAppModel, publicDir } from './helpers/engine.ts';

const embedded = findModel(appManifest, appManifest.defaultModel);

describe('the switch in words', () => {
  it('never says "steps 1-1" or "7-6"', () => {
    expect(stepRange(1, 1)).toBe('step 1');
    expect(stepRange(2, 6)).toBe('steps 2–6');
    expect(stepRange(7, 6)).toBe('');
    expect(switchSummary(1, 6)).toBe('step 1 on u, steps 2–6 on u′');
    expect(switchSummary(3, 20)).toBe('steps 1–3 on u, steps 4–20 on u′');
    expect(switchSummary(5, 6)).toBe('steps 1–5 on u, step 6 on u′');
    expect(switchSummary(6, 6)).toBe('all 6 steps on u (S = T: no switch)');
    expect(switchSummary(0, 6)).toBe('all 6 steps on u′ (S = 0)');
  });
});

describe('placeholder and vocabulary strip', () => {
  const passes = (concepts: string[]) => {
    const g = createGuard(concepts, null);
    return (t: string) => g.check(t).ok;
  };

  it('the placeholder suggests no banned concept, whatever the policy bans', () => {
    expect(examplePrompt(passes([]))).toBe('a small red circle on a gray background');
    for (const concepts of [['red'], ['red', 'circle'], ['crimson', 'gray'], ['small', 'red', 'orange', 'circle', 'square']]) {
      const text = examplePrompt(passes(concepts));
      expect(createGuard(concepts, null).check(text).ok, `${concepts} -> ${text}`).toBe(true);
      expect(text).toMatch(/^an? /);
    }
    expect(examplePrompt(passes(['red']))).toBe('a small orange circle on a gray background');
  });

  it('lists every value of the embedded world with its words, in prompt order', () => {
    const groups = drawableGroups();
    expect(groups.map((g) => g.attribute)).toEqual(['count', 'size', 'colour', 'pattern', 'shape', 'background']);
    const colour = groups.find((g) => g.attribute === 'colour')!;
    expect(colour.values.map((v) => v.value)).toEqual(['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'white']);
    expect(colour.values[0]!.words).toContain('crimson');
  });
});

describe('lessons', () => {
  it('each lesson hides its concept from a word blacklist yet the guard (and so TIN) catches it', () => {
    expect(LESSONS.map((l) => l.title)).toEqual(['A synonym the blacklist misses', 'An implied colour', 'A background']);
    for (const l of LESSONS) {
      expect(l.prompt.toLowerCase().split(/\W+/)).not.toContain(l.concepts);
      expect(createGuard([l.concepts], null).check(l.prompt).ok, l.id).toBe(false);
    }
  });

  it('fills the policy and the prompt and leaves every other setting as typed', () => {
    const s = { ...defaultSettings(embedded), seed: '7', steps: '6' };
    const out = applyLesson(s, LESSONS[0]!);
    expect(out).toEqual({ ...s, concepts: 'red', prompt: 'a large crimson circle on a navy background' });
  });
});

describe('long prompts', () => {
  const tokenizer = createClipTokenizer(
    JSON.parse(readFileSync(publicDir + 'models/ores-tiny-world/tokenizer/tokenizer.json', 'utf8')),
    JSON.parse(readFileSync(publicDir + 'models/ores-tiny-world/tokenizer/tokenizer_config.json', 'utf8')),
  );

  it('a 2,000-character prompt: says which words the model never reads, cut at the last word that fits', () => {
    const words = ['red', 'circle', 'on', 'a', 'navy', 'background', 'with', 'stripes'];
    let prompt = '';
    for (let i = 0; prompt.length < 2000; i++) prompt += `${words[i % words.length]}${i % 5 === 4 ? ',' : ''} `;
    prompt = prompt.trim();
    const c = promptCut(prompt, tokenizer);
    expect(c.tokens).toBeGreaterThan(77);
    expect(c.maxTokens).toBe(77);
    expect(c.cut.length).toBeGreaterThan(1000);
    expect(`${c.kept} ${c.cut}`).toBe(prompt);
    expect(tokenizer.tokenize(c.kept).truncated).toBe(false);
    const nextWord = c.cut.split(' ')[0]!;
    expect(tokenizer.tokenize(`${c.kept} ${nextWord}`).truncated).toBe(true);
  });

  it('a prompt that fits is not cut; no prompt under MIN_CHARS_TO_CUT characters can be', () => {
    expect(promptCut('a red circle', tokenizer)).toMatchObject({ kept: 'a red circle', cut: '' });
    expect(tokenizer.tokenize('!'.repeat(MIN_CHARS_TO_CUT - 1)).truncated).toBe(false);
  });
});

describe('warm-up', () => {
  it('is a valid two-step run of the model with its own guidance and a preview', async () => {
    const model = await loadAppModel(embedded.id);
    try {
      const request = warmUpRequest(embedded);
      expect(request.guidanceScale).toBe(embedded.defaults.guidanceScale);
      const previews: number[] = [];
      const out = await generate(model, request, { onPreview: (step) => previews.push(step) });
      expect(out.trace).toHaveLength(2);
      expect(previews.length).toBeGreaterThan(0);
      expect(out.image.width).toBe(32);
    } finally {
      await model.release();
    }
  });
});
