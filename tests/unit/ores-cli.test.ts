import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicDir } from '../../src/node/atomicDir.ts';
import { parseOresArgs, parseSeeds } from '../../src/node/oresArgs.ts';
import { runOresBench } from '../../src/node/oresBench.ts';
import { rerenderReport } from '../../src/node/oresOutput.ts';
import { ALL_METHOD_IDS } from '../../src/core/tin/methods.ts';
import type { BenchResults } from '../../src/core/tin/report.ts';
import { repoRoot } from './helpers/engine.ts';

/** The same images take different times in two runs; everything else must be equal. */
const withoutTiming = ({ generationMsMedian: _, ...rest }: { generationMsMedian?: number | null }) => rest;

const tmp = mkdtempSync(join(tmpdir(), 'ores-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const quiet = () => undefined;
const PNG = [137, 80, 78, 71, 13, 10, 26, 10];
const casesFile = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const THREE = 'red\ta red disc\ta large red circle on a gray background\nnavy\tnight\ta blue square at night\nstriped\ta striped block\ta large zebra-like pink block on a teal background\n';
const FIXTURE = ['--manifest', 'tests/fixtures/models/manifest.json', '--model', 'tiny-sd', '--judge-model', 'tests/fixtures/models/tiny-judge/model.onnx'];

function checkOutput(out: string, results: BenchResults, cases: number, seeds: number, steps: number, switchStep: number) {
  expect(readdirSync(out).sort()).toEqual(['grid.png', 'plot.png', 'results.json', 'results.md']);
  const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
  expect(json.complete).toBe(true);
  expect(json.records).toHaveLength(cases * seeds * ALL_METHOD_IDS.length);
  expect(json.summary.all.map((s) => s.method)).toEqual(results.summary.all.map((s) => s.method));
  const tin = json.records.find((r) => r.methodId === 'tin')!;
  expect(tin.conditioning[0]).toMatchObject({ from: 0, to: switchStep - 1 });
  expect(tin.conditioning.at(-1)).toMatchObject({ to: steps - 1 });
  const neg = json.records.find((r) => r.methodId === 'negative')!;
  expect(neg.conditioning).toEqual([expect.objectContaining({ from: 0, to: steps - 1, negative: expect.any(String) })]);
  expect(json.records.filter((r) => r.methodId === 'original').every((r) => r.similarity === 1)).toBe(true);
  const md = readFileSync(join(out, 'results.md'), 'utf8');
  expect(md).toMatch(/## Table 1: methods/);
  expect(md).toMatch(/## Table 2: ablations/);
  expect(md).toMatch(/1 - mean over pixels and RGB channels of \(a - b\)\^2/);
  expect(md).toMatch(/Reproduce: `npm run bench:ores -- /);
  for (const f of ['plot.png', 'grid.png']) expect([...readFileSync(join(out, f)).subarray(0, 8)]).toEqual(PNG);
  return json;
}

describe('bench:ores end to end', () => {
  it('APP: verified by the model\'s judge, measured by another; shown/refused/retries reported; images saved', async () => {
    // The fixture model with a judge of its own (the tiny random judge); the embedded world's judge measures.
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'tests/fixtures/models/manifest.json'), 'utf8'));
    manifest.models.find((m: { id: string }) => m.id === 'tiny-sd').judge = { kind: 'world', path: '../tiny-judge/model.onnx' };
    const manifestPath = join(tmp, 'judged-manifest.json');
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const base = ['--cases', casesFile('app.tsv', THREE), '--manifest', manifestPath, '--model-root', join(repoRoot, 'tests/fixtures/models'), '--model', 'tiny-sd', '--methods', 'tin,app', '--seeds', '0,1', '--steps', '4', '--switch-step', '2', '--latency-ms', '0'];
    const same = runOresBench(parseOresArgs([...base, '--out', join(tmp, 'app-same'), '--judge-model', join(repoRoot, 'tests/fixtures/models/tiny-judge/model.onnx')], quiet));
    await expect(same).rejects.toThrow(/measuring it with the same judge would make "0% shown" true by construction/);
    const images = join(tmp, 'app-images');
    const out = join(tmp, 'app');
    const r = await runOresBench(parseOresArgs([...base, '--out', out, '--judge-model', 'public/models/ores-tiny-world/judge/model.onnx', '--save-images', images], quiet));
    const app = r.summary.all.find((s) => s.method.startsWith('APP'))!;
    expect(app.n).toBe(6);
    const appRecords = r.records.filter((x) => x.methodId === 'app');
    expect(appRecords.every((x) => x.retries !== undefined && x.retries <= 2 && x.switchStep !== undefined)).toBe(true);
    // shown-with-concept counts only images that were not refused
    expect(app.shownWithConcept).toBeCloseTo(appRecords.filter((x) => x.shown && x.conceptPresent).length / 6, 10);
    expect(app.refusalRate).toBeCloseTo(appRecords.filter((x) => !x.shown).length / 6, 10);
    expect(r.summary.all.find((s) => s.method === 'TIN')!.shownWithConcept).toBeUndefined();
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    expect(md).toMatch(/## What reaches the user: APP/);
    // One time per method, the summary's, in the tables and in the APP section.
    expect(r.summary.all.every((s) => s.generationMsMedian! > 0)).toBe(true);
    expect(md).toContain(`${app.method} ${app.generationMsMedian!.toFixed(0)} ms (`);
    expect(md).toMatch(/\| ms \/ image \(median\) \|/);
    expect(r).not.toHaveProperty('methodMs');
    expect(readdirSync(images).sort()).toContain('L1-s0-app.png');
    expect(readdirSync(images)).toHaveLength(3 * 2 * 3);
  });


  it('on the tiny fixture model and fixture judge: every method, results, tables, plot, grid, latency', async () => {
    const out = join(tmp, 'fixture');
    const argv = ['--cases', casesFile('three.tsv', THREE), '--out', out, ...FIXTURE, '--seeds', '0', '--steps', '5', '--switch-step', '2', '--latency-ms', '20', '--latency-runs', '2'];
    const results = await runOresBench(parseOresArgs(argv, quiet));
    const json = checkOutput(out, results, 3, 1, 5, 2);
    expect(json.latency).toMatchObject({ rewriteMs: 20, runs: 2, steps: 5, switchStep: 2 });
    expect(json.rewriter.note).toMatch(/same u'/);
    expect(json.cases.kinds).toEqual({ explicit: 1, implicit: 2 });
    expect(readdirSync(tmp).filter((f) => f.includes('.partial-'))).toEqual([]);
    // Moved elsewhere, the report re-renders from results.json and its command names the new folder.
    const moved = join(tmp, 'moved');
    renameSync(out, moved);
    const again = await rerenderReport(moved, quiet);
    expect(again.command).toMatch(/--out \S*moved /);
    expect(again.summary.all).toEqual(json.summary.all);
    expect(readFileSync(join(moved, 'results.md'), 'utf8')).toContain(again.command);
    expect(readdirSync(moved).sort()).toEqual(['grid.png', 'plot.png', 'results.json', 'results.md']);
    // A file written before S was named switchStep (bench/results) still re-renders.
    const path = join(moved, 'results.json');
    writeFileSync(path, readFileSync(path, 'utf8').replaceAll('"switchStep": 2', '"switchAt": 2').replace('"records":', '"methodMs": { "tin": 1 },\n "records":'));
    const legacy = await rerenderReport(moved, quiet);
    expect(legacy.switchStep).toBe(2);
    expect(legacy).not.toHaveProperty('methodMs'); // the summary's median is the one time per image
    expect(legacy.latency?.switchStep).toBe(2);
    expect(readFileSync(join(moved, 'results.md'), 'utf8')).toMatch(/S = 2 \(/);
  });

  it.skipIf(!existsSync(repoRoot + 'public/models/ores-tiny-world/judge/model.onnx') || !existsSync(repoRoot + 'public/models/ores-tiny-world/unet/model.onnx'))(
    'on 3 cases of the embedded world with its judge',
    async () => {
      const out = join(tmp, 'world');
      const argv = ['--cases', 'bench/cases/tiny-world.tsv', '--limit', '3', '--out', out, '--seeds', '0', '--latency-ms', '0'];
      const results = await runOresBench(parseOresArgs(argv, quiet));
      checkOutput(out, results, 3, 1, 20, 3);
      expect(results.judge).toMatch(/world-judge/);
    },
  );

  it('a bad case file stops the run with the line named, before anything is written', async () => {
    const out = join(tmp, 'bad');
    const bad = casesFile('bad.tsv', '# header\nred\ta red disc\ta red disc\nblue a blue disc a blue disc\n');
    await expect(runOresBench(parseOresArgs(['--cases', bad, '--out', out, ...FIXTURE], quiet))).rejects.toThrow(/bad\.tsv, line 3: expected 3 TAB-separated columns.*no TAB found/);
    const alien = casesFile('alien.tsv', 'red\ta\ta red disc\ndog\ta dog\ta dog on a sofa\n');
    await expect(runOresBench(parseOresArgs(['--cases', alien, '--out', out, ...FIXTURE], quiet))).rejects.toThrow(/alien\.tsv, line 2: The concept "dog" is not part of the embedded world/);
    expect(existsSync(out)).toBe(false);
  });

  it('steps or guidance the model cannot run are refused before any work', async () => {
    const out = join(tmp, 'early');
    const argv = ['--cases', casesFile('one.tsv', 'red\ta\ta red disc\n'), '--out', out, ...FIXTURE, '--seeds', '0', '--steps', '2000'];
    await expect(runOresBench(parseOresArgs(argv, quiet))).rejects.toMatchObject({ code: 'steps-out-of-range' });
    expect(readdirSync(tmp).filter((f) => f.startsWith('early'))).toEqual([]);
  });

  it('a run that fails half-way leaves no output folder, only a partial one marked complete: false', async () => {
    const out = join(tmp, 'half');
    // a query the engine refuses (too long) fails at its first image, after the partial folder exists
    const argv = ['--cases', casesFile('one.tsv', `red\ta\ta red disc ${'x'.repeat(2000)}\n`), '--out', out, ...FIXTURE, '--seeds', '0'];
    await expect(runOresBench(parseOresArgs(argv, quiet))).rejects.toThrow(/characters; the limit is 2000/);
    expect(existsSync(out)).toBe(false);
    const partial = readdirSync(tmp).filter((f) => f.startsWith('half.partial-'));
    expect(partial).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(tmp, partial[0]!, 'results.json'), 'utf8'))).toMatchObject({ complete: false });
    expect(readdirSync(join(tmp, partial[0]!))).toEqual(['results.json']);
    rmSync(join(tmp, partial[0]!), { recursive: true });
  });

  it('an earlier complete result stays until a new run completes, then is replaced', async () => {
    const out = join(tmp, 'swap');
    const dir1 = await AtomicDir.begin(out);
    await dir1.write('results.json', '{"complete": true, "run": 1}');
    await dir1.commit();
    const dir2 = await AtomicDir.begin(out);
    await dir2.write('results.json', '{"complete": true, "run": 2}');
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).run).toBe(1);
    await dir2.commit();
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).run).toBe(2);
    expect(readdirSync(tmp).filter((f) => f.startsWith('swap.'))).toEqual([]);
  });

  it('--resume keeps finished cases in DIR.partial and picks them up; the published folder has no work files', async () => {
    const dirA = await AtomicDir.begin(join(tmp, 'res'), 'key-1');
    await dirA.write('work/L1.json', '{}');
    expect(await (await AtomicDir.begin(join(tmp, 'res'), 'key-1')).read('work/L1.json')).toBe('{}'); // same run: kept
    expect(await (await AtomicDir.begin(join(tmp, 'res'), 'key-2')).read('work/L1.json')).toBeNull(); // other settings: emptied
    rmSync(join(tmp, 'res.partial'), { recursive: true });

    const out = join(tmp, 'resumed');
    const argv = ['--cases', casesFile('two.tsv', THREE.split('\n').slice(0, 2).join('\n')), '--out', out, ...FIXTURE, '--seeds', '0', '--steps', '3', '--latency-ms', '0', '--resume'];
    // Interrupted after the first case: nothing published, the case kept.
    await expect(runOresBench(parseOresArgs([...argv, '--stop-after', '1'], quiet))).rejects.toMatchObject({ code: 'stopped' });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(join(tmp, 'resumed.partial', 'work'))).toEqual(['L1.json']);
    const logs: string[] = [];
    const resumed = await runOresBench(parseOresArgs(argv, (l) => logs.push(l)));
    expect(logs.join('\n')).toMatch(/1 of 2 cases picked up/);
    expect(readdirSync(out).sort()).toEqual(['grid.png', 'plot.png', 'results.json', 'results.md']);
    expect(existsSync(join(tmp, 'resumed.partial'))).toBe(false);
    // The same numbers as one uninterrupted run.
    const straight = await runOresBench(parseOresArgs([...argv.filter((a) => a !== '--resume').map((a) => (a === out ? join(tmp, 'straight') : a))], quiet));
    expect(resumed.summary.all.map(withoutTiming)).toEqual(straight.summary.all.map(withoutTiming));
    expect(() => parseOresArgs(['--cases', 'a', '--out', 'x', '--stop-after', '2'], quiet)).toThrow(/--stop-after needs --resume/);
  });

  it('--shard K/N: concurrent shards share DIR.partial, each generates its own cases, the run without --shard publishes', async () => {
    const out = join(tmp, 'sharded');
    const argv = ['--cases', casesFile('three.tsv', THREE), '--out', out, ...FIXTURE, '--seeds', '0', '--steps', '3', '--latency-ms', '0', '--resume'];
    // Both shards start at once: neither may delete the other's folder, and neither publishes.
    const shards = await Promise.allSettled([0, 1].map((k) => runOresBench(parseOresArgs([...argv, '--shard', `${k}/2`], quiet))));
    for (const s of shards) expect(s).toMatchObject({ status: 'rejected', reason: { code: 'stopped', message: expect.stringMatching(/same command without --shard publishes/) } });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(join(tmp, 'sharded.partial', 'work')).sort()).toEqual(['L1.json', 'L2.json', 'L3.json']);
    const logs: string[] = [];
    const merged = await runOresBench(parseOresArgs(argv, (l) => logs.push(l)));
    expect(logs.join('\n')).toMatch(/3 of 3 cases picked up/);
    const straight = await runOresBench(parseOresArgs([...argv.filter((a) => a !== '--resume').map((a) => (a === out ? join(tmp, 'straight3') : a))], quiet));
    expect(merged.summary.all.map(withoutTiming)).toEqual(straight.summary.all.map(withoutTiming));
    // A shard that starts while another is creating DIR.partial joins it (it once saw the folder
    // appear between reading the key and looking for the folder, and took it for another run's).
    const ticks = (n: number) => Array.from({ length: n }).reduce<Promise<void>>((p) => p.then(() => new Promise((r) => setImmediate(r))), Promise.resolve());
    // The window is a few event-loop turns wide: 80 tries with the second shard 0-19 turns late.
    for (let i = 0; i < 80; i++) {
      const dir = join(tmp, `race-${i}`);
      await expect(Promise.all([AtomicDir.begin(dir, 'key', true), ticks(i % 20).then(() => AtomicDir.begin(dir, 'key', true))])).resolves.toHaveLength(2);
    }
    // A shard never replaces the unfinished work of another run.
    await AtomicDir.begin(join(tmp, 'other'), 'key-a');
    await expect(AtomicDir.begin(join(tmp, 'other'), 'key-b', true)).rejects.toMatchObject({ code: 'partial-of-another-run' });
    expect(() => parseOresArgs(['--cases', 'a', '--out', 'x', '--resume', '--shard', '2/2'], quiet)).toThrow(/--shard is K\/N/);
    expect(() => parseOresArgs(['--cases', 'a', '--out', 'x', '--shard', '0/2'], quiet)).toThrow(/--shard needs --resume/);
  });

  it('arguments: clear errors, seeds lists and ranges', () => {
    expect(() => parseOresArgs(['--out', 'x'], quiet)).toThrow(/--cases is required/);
    expect(() => parseOresArgs(['--cases', 'a', '--out', 'x', '--methods', 'tin,foo'], quiet)).toThrow(/Unknown method "foo"/);
    expect(() => parseOresArgs(['--cases', 'a', '--out', 'x', '--steps', 'many'], quiet)).toThrow(/--steps needs a whole number/);
    expect(() => parseOresArgs(['--cases', 'a', '--out', 'x', '--frobnicate'], quiet)).toThrow(/Unknown argument "--frobnicate"/);
    expect(parseSeeds('0-2,7')).toEqual([0, 1, 2, 7]);
    expect(() => parseSeeds('a')).toThrow(/not a seed/);
    expect(parseOresArgs(['--cases', 'c.tsv', '--out', 'o', '--methods', 'tin'], quiet).command).toBe('npm run bench:ores -- --cases c.tsv --out o --methods tin');
  });
});
