import { InvalidInputError } from '../errors.ts';

/** One benchmark case of an ORES case file: `concept TAB object-description TAB user query`. */
export interface OresCase {
  /** 1-based physical line in the file, so error reports and results point at the real line. */
  line: number;
  /** The concept column as written (may list several concepts, e.g. `labrador, moving`). */
  concept: string;
  object: string;
  query: string;
  /** `concept` split on ',' and trimmed; never empty. */
  concepts: string[];
}

const COLUMNS = 3;

function fail(source: string, line: number, what: string): never {
  throw new InvalidInputError('bad-case-file', `${source}, line ${line}: ${what}`);
}

/**
 * Parses an ORES case file. Blank lines and lines starting with '#' are skipped but still
 * counted, so `line` always matches what an editor shows. A BOM and CRLF endings are accepted
 * because the files are often saved by spreadsheet tools on Windows.
 */
export function parseCaseFile(text: string, source = 'cases'): OresCase[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = body.split(/\r\n|\n|\r/);
  const cases: OresCase[] = [];
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const columns = raw.split('\t');
    if (columns.length !== COLUMNS) {
      const hint = columns.length === 1 ? ' (no TAB found; spaces do not separate columns)' : '';
      fail(
        source,
        line,
        `expected ${COLUMNS} TAB-separated columns (concept, object description, query), found ${columns.length}${hint}`,
      );
    }
    const [concept = '', object = '', query = ''] = columns.map((c) => c.trim());
    const concepts = concept
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '');
    if (concepts.length === 0) fail(source, line, 'the concept column (1st) is empty');
    if (query === '') fail(source, line, 'the user query column (3rd) is empty');
    cases.push({ line, concept, object, query, concepts });
  });
  if (cases.length === 0) {
    throw new InvalidInputError('bad-case-file', `${source}: no cases found (only blank or '#' comment lines)`);
  }
  return cases;
}
