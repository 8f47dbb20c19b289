import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCaseFile } from '../../src/core/bench/caseFile.ts';
import { InvalidInputError } from '../../src/core/errors.ts';
import { mulberry32 } from '../../src/core/random.ts';

const ORES_DATA = resolve(__dirname, '../../../shared/ores-data/ORES_data.txt');

/** Runs `fn`, expects a bad-case-file error and returns its message. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).code).toBe('bad-case-file');
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('parseCaseFile', () => {
  it.skipIf(!existsSync(ORES_DATA))('reads the ORES data file', () => {
    const text = readFileSync(ORES_DATA, 'utf8');
    const cases = parseCaseFile(text, 'ORES_data.txt');
    expect(cases).toHaveLength(100);
    const raw = text.split('\n');
    cases.forEach((c, i) => {
      expect(c.line).toBe(i + 1);
      const cols = raw[i]!.split('\t');
      expect(c.concept).toBe(cols[0]!.trim());
      expect(c.query).toBe(cols[2]!.trim());
      expect(c.concepts.length).toBeGreaterThan(0);
    });
  });

  it('splits multi-concept cells and trims', () => {
    const [c] = parseCaseFile(' labrador,  moving \t a dog \t a dog running on grass \n');
    expect(c).toEqual({
      line: 1,
      concept: 'labrador,  moving',
      object: 'a dog',
      query: 'a dog running on grass',
      concepts: ['labrador', 'moving'],
    });
  });

  it('handles BOM, CRLF, blank and comment lines, and keeps true line numbers', () => {
    const text = '\uFEFF# header comment\r\nred\tA ball\tA red ball\r\n\r\n   \r\n  # indented comment\r\nblue\tA cup\tA blue cup\r\n\r\n\r\n';
    const cases = parseCaseFile(text);
    expect(cases.map((c) => [c.line, c.concept, c.query])).toEqual([
      [2, 'red', 'A red ball'],
      [6, 'blue', 'A blue cup'],
    ]);
    expect(cases[0]!.concept.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('allows an empty object description', () => {
    expect(parseCaseFile('red\t\tA red ball')[0]!.object).toBe('');
  });

  it('reports wrong column counts with file, line and count', () => {
    const few = errorOf(() => parseCaseFile('red\tA ball\tA red ball\nblue\tA cup\n', 'my.txt'));
    expect(few).toContain('my.txt');
    expect(few).toContain('line 2');
    expect(few).toContain('found 2');
    expect(few).toContain('TAB-separated');
    const many = errorOf(() => parseCaseFile('\n\nred\tA ball\tA red\tball'));
    expect(many).toContain('line 3');
    expect(many).toContain('found 4');
    const spaces = errorOf(() => parseCaseFile('red    A ball    A red ball'));
    expect(spaces).toContain('found 1');
    expect(spaces).toMatch(/no TAB/);
  });

  it('reports empty concept and empty query', () => {
    expect(errorOf(() => parseCaseFile('red\ta\tb\n \tA ball\tA ball', 'f'))).toMatch(/^f, line 2: .*concept.*empty/);
    expect(errorOf(() => parseCaseFile(' , ,\tA ball\tA ball'))).toMatch(/line 1: .*concept.*empty/);
    expect(errorOf(() => parseCaseFile('red\tA ball\t  \n'))).toMatch(/line 1: .*query.*empty/);
  });

  it('reports files without cases', () => {
    for (const text of ['', '\uFEFF', '\n\n\r\n', '# only\n# comments\n']) {
      expect(errorOf(() => parseCaseFile(text, 'empty.txt'))).toMatch(/^empty\.txt: no cases/);
    }
  });

  it('fuzz: random valid files parse with true line numbers; one corruption is reported at its line', () => {
    const words = ['red', 'ball', 'old', 'cup', 'tall', 'tree', 'a', 'the', 'on', 'blue'];
    for (let seed = 1; seed <= 200; seed++) {
      const r = mulberry32(seed); // reproducible fuzz cases
      const pick = () => words[Math.floor(r() * words.length)]!;
      const phrase = () => Array.from({ length: 1 + Math.floor(r() * 5) }, pick).join(' ');
      const lines: string[] = [];
      const expected: { line: number; concept: string; query: string }[] = [];
      const n = 1 + Math.floor(r() * 15);
      for (let i = 0; i < n; i++) {
        const roll = r();
        if (roll < 0.15) lines.push(r() < 0.5 ? '' : '  \t ');
        else if (roll < 0.25) lines.push(`# ${phrase()}`);
        else {
          const concept = r() < 0.3 ? `${pick()}, ${pick()}` : pick();
          const query = phrase();
          lines.push(`${concept}\t${phrase()}\t${query}`);
          expected.push({ line: lines.length, concept, query });
        }
      }
      const eol = r() < 0.5 ? '\n' : '\r\n';
      const bom = r() < 0.3 ? '\uFEFF' : '';
      const text = bom + lines.join(eol) + (r() < 0.5 ? eol.repeat(1 + Math.floor(r() * 3)) : '');
      if (expected.length === 0) {
        expect(errorOf(() => parseCaseFile(text))).toMatch(/no cases/);
        continue;
      }
      expect(parseCaseFile(text).map(({ line, concept, query }) => ({ line, concept, query }))).toEqual(expected);

      // Corrupt one case line in one of three ways; the error must point at that line.
      const target = expected[Math.floor(r() * expected.length)]!;
      const broken = [...lines];
      const cols = broken[target.line - 1]!.split('\t');
      const kind = Math.floor(r() * 3);
      if (kind === 0) broken[target.line - 1] = cols.join(r() < 0.5 ? '  ' : '\t\t');
      else if (kind === 1) broken[target.line - 1] = ['', cols[1], cols[2]].join('\t');
      else broken[target.line - 1] = [cols[0], cols[1], ' '].join('\t');
      const msg = errorOf(() => parseCaseFile(bom + broken.join(eol), 'fuzz.txt'));
      expect(msg.startsWith(`fuzz.txt, line ${target.line}: `)).toBe(true);
      expect(msg).toMatch([/columns/, /concept/, /query/][kind]!);
    }
  });
});
