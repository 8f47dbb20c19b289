/**
 * The guard corpus (bench/cases/guard-corpus.tsv) and its scoring: lines
 * `concept TAB text TAB leaks [TAB category]`, where leaks 1 means the text names or clearly
 * implies the concept and 0 means it does not. Used by `npm run bench:guard` and the corpus test.
 */
import { InvalidInputError } from '../errors.ts';

/** The categories a word-level guard is expected to catch (issue 10 floors them); the others are reported only. */
export const LEXICAL_CATEGORIES: readonly string[] = ['literal', 'inflection', 'derivation', 'compound', 'synonym', 'deep-hyponym', 'confusable'];

export interface GuardCase {
  /** 1-based physical line in the file. */
  readonly line: number;
  readonly concept: string;
  readonly text: string;
  readonly leaks: boolean;
  /** The 4th column; "" when the line has none. */
  readonly category: string;
}

function fail(source: string, line: number, what: string): never {
  throw new InvalidInputError('bad-case-file', `${source}, line ${line}: ${what}`);
}

/** Parses a guard corpus. Blank and '#' lines are skipped but counted; a BOM and CRLF are accepted. */
export function parseGuardCorpus(text: string, source = 'cases'): GuardCase[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const cases: GuardCase[] = [];
  body.split(/\r\n|\n|\r/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const columns = raw.split('\t').map((c) => c.trim());
    if (columns.length < 3 || columns.length > 4) {
      const hint = columns.length === 1 ? ' (no TAB found; spaces do not separate columns)' : '';
      fail(source, line, `expected 3 or 4 TAB-separated columns (concept, text, leaks[, category]), found ${columns.length}${hint}`);
    }
    const [concept = '', caseText = '', leaks = '', category = ''] = columns;
    if (concept === '') fail(source, line, 'the concept column (1st) is empty');
    if (caseText === '') fail(source, line, 'the text column (2nd) is empty');
    if (leaks !== '0' && leaks !== '1') fail(source, line, `the leaks column (3rd) must be 0 or 1, found "${leaks}"`);
    cases.push({ line, concept, text: caseText, leaks: leaks === '1', category });
  });
  if (cases.length === 0) throw new InvalidInputError('bad-case-file', `${source}: no cases found (only blank or '#' comment lines)`);
  return cases;
}

export interface CategoryScore {
  readonly n: number;
  /** Lines labelled leaks = 1, and how many of them the guard flagged. */
  readonly leaks: number;
  readonly caught: number;
  /** caught / leaks; null when the category has no leaking line. */
  readonly recall: number | null;
  /** Lines labelled leaks = 0, and how many of them the guard flagged anyway. */
  readonly clean: number;
  readonly flagged: number;
  /** flagged / clean; null when the category has no clean line. */
  readonly falsePositiveRate: number | null;
}

export interface GuardMiss {
  readonly line: number;
  readonly concept: string;
  readonly text: string;
  readonly category: string;
  /** 'missed': a leak the guard let through; 'false-positive': a clean line it flagged. */
  readonly kind: 'missed' | 'false-positive';
  /** What the guard matched (false positives only). */
  readonly matched: readonly string[];
}

export interface GuardScore extends CategoryScore {
  readonly byCategory: Readonly<Record<string, CategoryScore>>;
  /** Recall over the lines of {@link LEXICAL_CATEGORIES}; null when the corpus has none. */
  readonly lexicalRecall: number | null;
  readonly misses: readonly GuardMiss[];
}

/** A verdict on one case: the words the guard matched for the case's concept (empty = clean). */
export type GuardVerdict = (c: GuardCase) => readonly string[];

function tally(items: readonly { c: GuardCase; matched: readonly string[] }[]): CategoryScore {
  const leaks = items.filter((x) => x.c.leaks);
  const clean = items.filter((x) => !x.c.leaks);
  const caught = leaks.filter((x) => x.matched.length > 0).length;
  const flagged = clean.filter((x) => x.matched.length > 0).length;
  return {
    n: items.length,
    leaks: leaks.length,
    caught,
    recall: leaks.length > 0 ? caught / leaks.length : null,
    clean: clean.length,
    flagged,
    falsePositiveRate: clean.length > 0 ? flagged / clean.length : null,
  };
}

/** Scores a guard on the corpus: recall on leaks, false positives on the rest, per category. */
export function scoreGuard(cases: readonly GuardCase[], verdict: GuardVerdict): GuardScore {
  const items = cases.map((c) => ({ c, matched: verdict(c) }));
  const byCategory: Record<string, CategoryScore> = {};
  for (const category of [...new Set(cases.map((c) => c.category))]) {
    byCategory[category] = tally(items.filter((x) => x.c.category === category));
  }
  const misses: GuardMiss[] = items
    .filter((x) => x.c.leaks !== x.matched.length > 0)
    .map(({ c, matched }) => ({
      line: c.line,
      concept: c.concept,
      text: c.text,
      category: c.category,
      kind: c.leaks ? 'missed' : 'false-positive',
      matched,
    }));
  const lexical = tally(items.filter((x) => LEXICAL_CATEGORIES.includes(x.c.category)));
  return { ...tally(items), byCategory, lexicalRecall: lexical.recall, misses };
}

const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

/** The score as a Markdown report (a table by category, then the misses). */
export function formatGuardScore(score: GuardScore, title: string): string {
  const rows = Object.entries(score.byCategory).map(
    ([cat, s]) => `| ${cat || '(none)'} | ${s.n} | ${s.leaks > 0 ? `${pct(s.recall)} (${s.caught}/${s.leaks})` : '–'} | ${s.clean > 0 ? `${pct(s.falsePositiveRate)} (${s.flagged}/${s.clean})` : '–'} |`,
  );
  const missed = score.misses.filter((m) => m.kind === 'missed');
  const fps = score.misses.filter((m) => m.kind === 'false-positive');
  const show = (m: GuardMiss): string =>
    `- line ${m.line} [${m.category || 'none'}] ${m.concept}: "${m.text}"${m.matched.length > 0 ? ` (matched: ${m.matched.join(', ')})` : ''}`;
  return [
    `# ${title}`,
    '',
    `${score.n} lines: recall ${pct(score.recall)} (${score.caught}/${score.leaks}), false positives ${pct(score.falsePositiveRate)} (${score.flagged}/${score.clean}).`,
    `Recall on the lexical categories (${LEXICAL_CATEGORIES.join(', ')}): ${pct(score.lexicalRecall)}.`,
    '',
    '| category | lines | recall | false positives |',
    '|---|---|---|---|',
    ...rows,
    '',
    `## Missed leaks (${missed.length})`,
    ...missed.map(show),
    '',
    `## False positives (${fps.length})`,
    ...fps.map(show),
    '',
  ].join('\n');
}
