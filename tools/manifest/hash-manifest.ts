// Writes the exact size and SHA-256 of every local file into the model manifests:
// models-manifest/models.json (the embedded model under public/, and the app's shared assets:
// helper graphs and the guard lexicon) and tests/fixtures/models/manifest.json.
// `npm run manifest:hash` after rebuilding a model, a graph or the lexicon; `-- --check` only reports.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const check = process.argv.includes('--check');

type FileJson = { path: string; bytes?: number; sha256?: string; externalData?: FileJson[] } & Record<string, unknown>;
type JudgeJson = { kind: string; path?: string; files?: Record<string, FileJson> } & Record<string, unknown>;
type EntryJson = { id: string; baseUrl: string; files: Record<string, FileJson>; judge?: JudgeJson };
type ManifestJson = { models: EntryJson[]; assets?: Record<string, { bytes: number; sha256: string }> } & Record<string, unknown>;

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

function measure(file: string): { bytes: number; sha256: string } {
  const data = readFileSync(file);
  return { bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}

/** Sets bytes and sha256 of a file that exists on disk; a file that does not (a fixture's deliberately missing one) is left alone. */
function update(f: FileJson, file: string, missing: string[]): void {
  if (!existsSync(file)) {
    missing.push(relative(root, file));
    return;
  }
  const { bytes, sha256 } = measure(file);
  f.bytes = bytes;
  f.sha256 = sha256;
  delete f.approxBytes; // the exact size replaces a rounded one
}

function hashEntries(m: ManifestJson, dir: string, missing: string[]): void {
  for (const e of m.models) {
    if (ABSOLUTE_URL.test(e.baseUrl)) continue; // hub files: not on disk here
    const base = join(dir, e.baseUrl);
    for (const f of Object.values(e.files)) {
      if (ABSOLUTE_URL.test(f.path)) continue;
      update(f, join(base, f.path), missing);
      const folder = join(base, f.path, '..');
      for (const d of f.externalData ?? []) update(d, join(folder, d.path), missing);
    }
    // A world judge is one file described in place; a CLIP judge names its files like a model.
    const judge = e.judge?.kind === 'world' ? [e.judge as FileJson] : Object.values(e.judge?.files ?? {});
    for (const f of judge) if (!ABSOLUTE_URL.test(f.path)) update(f, join(base, f.path), missing);
  }
}

/** Every helper graph and the guard lexicon, keyed by their path under public/ (= under the app's base URL). */
function appAssets(): Record<string, { bytes: number; sha256: string }> {
  const paths = [...readdirSync(join(root, 'public/graphs')).filter((n) => n.endsWith('.onnx')).sort().map((n) => `graphs/${n}`), 'guard/lexicon.json'];
  return Object.fromEntries(paths.map((p) => [p, measure(join(root, 'public', p))]));
}

/** JSON with the manifests' style: an object or array that fits on one line stays on one line. */
function format(value: unknown, indent = ''): string {
  const flat = JSON.stringify(value, null, 1)?.replace(/\n\s*/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']');
  if (flat === undefined || typeof value !== 'object' || value === null || indent.length + flat.length <= 200) return flat ?? 'null';
  const inner = indent + '  ';
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + format(v, inner)).join(',\n')}\n${indent}]`;
  const fields = Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${format(v, inner)}`);
  return `{\n${fields.join(',\n')}\n${indent}}`;
}

const targets = [
  { file: 'models-manifest/models.json', dir: join(root, 'public'), assets: true },
  { file: 'tests/fixtures/models/manifest.json', dir: join(root, 'tests/fixtures/models'), assets: false },
];
let stale = 0;
for (const t of targets) {
  const path = join(root, t.file);
  const before = readFileSync(path, 'utf8');
  const m = JSON.parse(before) as ManifestJson;
  const missing: string[] = [];
  hashEntries(m, t.dir, missing);
  if (t.assets) m.assets = appAssets();
  const after = format(m) + '\n';
  for (const f of missing) console.log(`${t.file}: ${f} does not exist; left without bytes/sha256`);
  if (after === before) {
    console.log(`${t.file}: up to date`);
  } else if (check) {
    console.log(`${t.file}: out of date (run npm run manifest:hash)`);
    stale++;
  } else {
    writeFileSync(path, after);
    console.log(`${t.file}: updated`);
  }
}
process.exit(stale ? 1 : 0);
