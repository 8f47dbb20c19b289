/**
 * Training sets for instruction learning, in two formats:
 *
 * 1. The ORES paper's training.txt: blocks separated by blank lines, each
 *      Input Caption: <caption>
 *      Concept: <concept>[, <concept>...]
 *      Output Caption1: <ground truth>
 *      Output Caption2: ...            (one or more, numbered or not)
 * 2. JSON: an array of samples, or { "samples": [...] }, each
 *      { "input": string, "concepts": string | string[], "outputs": string[] }
 *    (the paper's key names "input_caption", "concept", "output_captions" are accepted too).
 *
 * Errors name the line (text) or the JSON path, so the educator can fix the file.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.ts';
import { splitConcepts } from '../guard/guard.ts';

export interface TrainingSample {
  readonly input: string;
  readonly concepts: readonly string[];
  /** Ground-truth rewrites (at least one). */
  readonly outputs: readonly string[];
  /** Where the sample starts in its file (1-based line) when read from text. */
  readonly line?: number;
}

const bad = (message: string): InvalidInputError => new InvalidInputError('training-set-invalid', message);

/** Parses the paper's training.txt format. */
export function parseTrainingText(text: string, source = 'training set'): TrainingSample[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const samples: TrainingSample[] = [];
  let block: { line: number; input?: string; concept?: string; outputs: string[] } | undefined;

  const close = (endLine: number): void => {
    if (!block) return;
    const where = `${source}, block starting at line ${block.line}`;
    if (block.input === undefined) throw bad(`${where}: the "Input Caption:" line is missing.`);
    if (block.concept === undefined) throw bad(`${where}: the "Concept:" line is missing.`);
    if (block.outputs.length === 0) throw bad(`${where} (ending at line ${endLine}): there is no "Output Caption:" line.`);
    const concepts = splitConcepts(block.concept);
    if (concepts.length === 0) throw bad(`${where}: "Concept:" is empty.`);
    samples.push({ input: block.input, concepts, outputs: block.outputs, line: block.line });
    block = undefined;
  };

  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line.length === 0) {
      close(n - 1);
      return;
    }
    const m = /^(Input Caption|Concepts?|Output Caption\s*(\d*))\s*:\s*(.*)$/i.exec(line);
    if (!m) {
      throw bad(`${source}, line ${n}: expected "Input Caption:", "Concept:" or "Output Caption<N>:", found "${line.slice(0, 60)}".`);
    }
    const key = (m[1] ?? '').toLowerCase();
    const value = (m[3] ?? '').trim();
    if (key.startsWith('input')) {
      if (block) close(n - 1); // a new block without a blank line in between
      if (!value) throw bad(`${source}, line ${n}: "Input Caption:" is empty.`);
      block = { line: n, input: value, outputs: [] };
      return;
    }
    if (!block) throw bad(`${source}, line ${n}: "${m[1]}:" comes before any "Input Caption:" line.`);
    if (key.startsWith('concept')) {
      if (block.concept !== undefined) throw bad(`${source}, line ${n}: a second "Concept:" line in the same block.`);
      block.concept = value;
    } else {
      if (block.concept === undefined) throw bad(`${source}, line ${n}: "Output Caption" comes before the "Concept:" line.`);
      if (!value) throw bad(`${source}, line ${n}: "${m[1]}:" is empty.`);
      block.outputs.push(value);
    }
  });
  close(lines.length);
  if (samples.length === 0) throw bad(`${source}: no training samples found.`);
  return samples;
}

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const JsonSample = z
  .object({
    input: nonEmpty.optional(),
    input_caption: nonEmpty.optional(),
    concepts: z.union([nonEmpty, z.array(nonEmpty).min(1)]).optional(),
    concept: z.union([nonEmpty, z.array(nonEmpty).min(1)]).optional(),
    outputs: z.array(nonEmpty).min(1).optional(),
    output_captions: z.array(nonEmpty).min(1).optional(),
  })
  .refine((s) => (s.input ?? s.input_caption) !== undefined, { message: '"input" is required' })
  .refine((s) => (s.concepts ?? s.concept) !== undefined, { message: '"concepts" is required' })
  .refine((s) => (s.outputs ?? s.output_captions) !== undefined, { message: '"outputs" (at least one) is required' });
const JsonSet = z.union([z.array(JsonSample), z.object({ samples: z.array(JsonSample) })]);

/** Parses a JSON training set (the value, or its text). */
export function parseTrainingJson(input: unknown, source = 'training set'): TrainingSample[] {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw bad(`${source}: not valid JSON (${(e as Error).message}).`);
    }
  }
  const r = JsonSet.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') : '';
    throw bad(`${source}: ${path ? `at ${path.replace(/^\./, '')}: ` : ''}${issue?.message ?? 'invalid'}.`);
  }
  const list = Array.isArray(r.data) ? r.data : r.data.samples;
  if (list.length === 0) throw bad(`${source}: no training samples found.`);
  return list.map((s) => {
    const c = (s.concepts ?? s.concept) as string | string[];
    return {
      input: (s.input ?? s.input_caption ?? '').trim(),
      concepts: Array.isArray(c) ? c.map((x) => x.trim()) : splitConcepts(c),
      outputs: (s.outputs ?? s.output_captions ?? []).map((x) => x.trim()),
    };
  });
}

/** Either format, told apart by the first character ("[" or "{" = JSON). */
export function parseTrainingSet(text: string, source = 'training set'): TrainingSample[] {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  return start.startsWith('[') || start.startsWith('{') ? parseTrainingJson(start, source) : parseTrainingText(text, source);
}

/** The canonical form hashed for the artifact: format-independent, line numbers left out. */
export function canonicalTrainingSet(samples: readonly TrainingSample[]): string {
  return JSON.stringify(samples.map((s) => ({ input: s.input, concepts: [...s.concepts], outputs: [...s.outputs] })));
}
