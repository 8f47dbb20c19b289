import { describe, expect, it } from 'vitest';
import { formatGuardScore, parseGuardCorpus, scoreGuard } from '../../src/core/bench/guardCorpus.ts';
import { InvalidInputError } from '../../src/core/errors.ts';
import { parseGuardBenchArgs, runGuardBench } from '../../src/node/guardBench.ts';

function errorOf(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return e as InvalidInputError;
  }
  throw new Error('expected an error');
}

describe('parseGuardCorpus', () => {
  it('reads 3- and 4-column lines, skipping comments and blanks but counting them', () => {
    const cases = parseGuardCorpus('\uFEFF# header\n\ndog\ta sheepdog\t1\tcompound\r\nred\ta redwood\t0\n', 'c.tsv');
    expect(cases).toEqual([
      { line: 3, concept: 'dog', text: 'a sheepdog', leaks: true, category: 'compound' },
      { line: 4, concept: 'red', text: 'a redwood', leaks: false, category: '' },
    ]);
  });

  it('names the file and line of a bad line', () => {
    expect(errorOf(() => parseGuardCorpus('dog\ta dog\t1\nred a red car 1\n', 'x.tsv')).message).toBe(
      'x.tsv, line 2: expected 3 or 4 TAB-separated columns (concept, text, leaks[, category]), found 1 (no TAB found; spaces do not separate columns)',
    );
    expect(errorOf(() => parseGuardCorpus('dog\ta dog\tyes', 'x.tsv')).message).toMatch(/^x\.tsv, line 1: the leaks column \(3rd\) must be 0 or 1, found "yes"$/);
    expect(errorOf(() => parseGuardCorpus('\ta dog\t1', 'x.tsv')).message).toMatch(/line 1: the concept column/);
    expect(errorOf(() => parseGuardCorpus('dog\t \t1', 'x.tsv')).message).toMatch(/line 1: the text column/);
    expect(errorOf(() => parseGuardCorpus('dog\ta\t1\tb\tc', 'x.tsv')).message).toMatch(/found 5/);
    expect(errorOf(() => parseGuardCorpus('# only\n', 'x.tsv')).code).toBe('bad-case-file');
  });
});

describe('scoreGuard', () => {
  const cases = parseGuardCorpus(['dog\ta dog\t1\tliteral', 'dog\ta hound\t1\tsynonym', 'dog\ta hotdog\t0\tnear-miss', 'dog\ta catalog\t0\tnear-miss'].join('\n'));
  it('counts recall on leaks and false positives on clean lines, per category, and lists the misses', () => {
    const s = scoreGuard(cases, (c) => (c.text.includes('dog') ? ['dog'] : []));
    expect(s).toMatchObject({ n: 4, leaks: 2, caught: 1, recall: 0.5, clean: 2, flagged: 1, falsePositiveRate: 0.5 });
    expect(s.byCategory.literal).toMatchObject({ recall: 1, falsePositiveRate: null });
    expect(s.lexicalRecall).toBe(0.5); // literal 1/1 and synonym 0/1
    expect(s.byCategory['near-miss']).toMatchObject({ recall: null, falsePositiveRate: 0.5 });
    expect(s.misses.map((m) => [m.line, m.kind])).toEqual([
      [2, 'missed'],
      [3, 'false-positive'],
    ]);
    const md = formatGuardScore(s, 'T');
    expect(md).toContain('| synonym | 1 | 0.0% (0/1) | – |');
    expect(md).toContain('- line 3 [near-miss] dog: "a hotdog" (matched: dog)');
  });
});

describe('bench:guard arguments', () => {
  it('parses --cases and --json', () => {
    expect(parseGuardBenchArgs(['--cases', 'f.tsv', '--json'])).toEqual({ cases: 'f.tsv', json: true });
    expect(parseGuardBenchArgs(['--cases', 'f.tsv'])).toEqual({ cases: 'f.tsv', json: false });
  });
  it('rejects missing or unknown arguments with a usage message', () => {
    expect(errorOf(() => parseGuardBenchArgs([])).message).toMatch(/--cases is required/);
    expect(errorOf(() => parseGuardBenchArgs(['--cases'])).message).toMatch(/--cases needs a file/);
    expect(errorOf(() => parseGuardBenchArgs(['--cases', 'f', '--fast'])).message).toMatch(/Unknown argument "--fast"/);
    expect(errorOf(() => parseGuardBenchArgs(['--help'])).code).toBe('help');
  });
  it('says which file it cannot read', () => {
    expect(errorOf(() => runGuardBench({ cases: '/nonexistent/c.tsv', json: false })).message).toMatch(/Cannot read the cases file \/nonexistent\/c\.tsv/);
  });
});
