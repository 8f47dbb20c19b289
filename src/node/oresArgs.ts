/**
 * The arguments of `npm run bench:ores`: usage text, parsing and checks (bad arguments name the
 * flag and repeat the usage).
 */
import { InvalidInputError } from '../core/errors.ts';
import { parseMethodList } from '../core/tin/methods.ts';

export const APP_MANIFEST = 'models-manifest/models.json';

export interface OresBenchOptions {
  cases: string;
  out: string;
  model?: string;
  /** A models manifest; default the app's. Its model files are read from --model-root. */
  manifest: string;
  /** Default: public/ for the app's manifest, the manifest's folder otherwise. */
  modelRoot?: string;
  methods: string;
  seeds: number[];
  steps?: number;
  switchFraction?: number;
  switchStep?: number;
  guidance?: number;
  judge: 'world' | 'clip';
  judgeModel?: string;
  /** Fake rewriter latency for the pipelining measurement; 0 skips it. */
  latencyMs: number;
  latencyRuns: number;
  browser: boolean;
  /** Keep each finished case in <out>.partial and pick them up when the same run is started again. */
  resume: boolean;
  /** With --resume: stop (unpublished) after generating this many new cases; the same command goes on later. */
  stopAfter?: number;
  /** With --resume: generate only the cases whose index is `index` modulo `count`, so that several processes share one run. */
  shard?: { index: number; count: number };
  limit?: number;
  /** Also write every image as a PNG (case line, seed, method in the name). */
  saveImages?: string;
  /** How the run was started, for results.md's "Reproduce" line. */
  command: string;
  log: (line: string) => void;
}

const USAGE = `Usage: npm run bench:ores -- --cases FILE --out DIR [options]
  --cases FILE        ORES case file (concept TAB object TAB query)
  --out DIR           output folder (replaced atomically when the run completes)
  --model ID          model id (default: the manifest's default)
  --manifest FILE     models manifest (default ${APP_MANIFEST})
  --model-root DIR    where the manifest's relative model URLs point (default public/ or the manifest's folder)
  --methods LIST      comma-separated: original,blacklist,negative,tin,tin-plain,tin-noswitch,tin-neg,sld,tin-sld,tin-mask,app
                      or all (default all); switching ones take @S (e.g. tin@2). app: TIN as the app applies a
                      policy (switch step by concept, verified by the model's judge, retries/refusal); measure it
                      with another judge (--judge-model)
  --seeds LIST        e.g. 0,1,2,3,4 or 0-4 (default 0-4)
  --steps T           denoising steps (default: the model's)
  --switch F          S as a fraction of T (default: the model's switchFraction)
  --switch-step S     S as a step number (instead of --switch)
  --guidance G        classifier-free guidance scale (default: the model's)
  --judge world|clip  world: the embedded world's judge; clip: CLIP zero-shot (needs --judge-model)
  --judge-model PATH  world: judge ONNX file (default <model>/judge/model.onnx); clip: local transformers.js model folder
  --latency-ms N      fake rewriter latency for the pipelining measurement (default 300; 0 skips)
  --latency-runs N    images per variant for it (default 6)
  --limit N           only the first N cases
  --browser           generate in headless Chromium on WebGPU (judging stays in Node)
  --save-images DIR   also write every image as DIR/L<case line>-s<seed>-<method>.png, to judge them with other tools
  --resume            keep each finished case in DIR.partial; the same command started again goes on from there
  --stop-after N      with --resume: stop after N new cases (run the benchmark in sessions)
  --shard K/N         with --resume: generate only every N-th case from the K-th (0-based), to share a run
                      among N processes (one per core); then the same command without --shard publishes
Or: npm run bench:ores -- --report-from DIR   (re-render DIR's results.md and plot.png from its results.json)`;

function num(flag: string, v: string | undefined, integer = false): number {
  const n = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new InvalidInputError('bad-arguments', `${flag} needs a ${integer ? 'whole ' : ''}number, got ${v === undefined ? 'nothing' : `"${v}"`}.\n${USAGE}`);
  }
  return n;
}

export function parseSeeds(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a) throw new InvalidInputError('bad-seeds', `The seed range "${part}" runs backwards.`);
      for (let s = a; s <= b; s++) out.push(s);
    } else if (/^\d+$/.test(part)) out.push(Number(part));
    else throw new InvalidInputError('bad-seeds', `"${part}" is not a seed (whole numbers, e.g. 0,1,2 or 0-4).`);
  }
  if (out.length === 0) throw new InvalidInputError('bad-seeds', 'No seed was given.');
  return out;
}

export function parseOresArgs(argv: readonly string[], log: (line: string) => void = console.log): OresBenchOptions {
  const o: Partial<OresBenchOptions> & { methods: string; seeds: number[] } = {
    manifest: APP_MANIFEST,
    methods: 'all',
    seeds: [0, 1, 2, 3, 4],
    judge: 'world',
    latencyMs: 300,
    latencyRuns: 6,
    browser: false,
    resume: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new InvalidInputError('bad-arguments', `${flag} needs a value.\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--cases': o.cases = value(); break;
      case '--out': o.out = value(); break;
      case '--model': o.model = value(); break;
      case '--manifest': o.manifest = value(); break;
      case '--model-root': o.modelRoot = value(); break;
      case '--methods': o.methods = value(); break;
      case '--seeds': o.seeds = parseSeeds(value()); break;
      case '--steps': o.steps = num(flag, value(), true); break;
      case '--switch': o.switchFraction = num(flag, value()); break;
      case '--switch-step': o.switchStep = num(flag, value(), true); break;
      case '--guidance': o.guidance = num(flag, value()); break;
      case '--judge': {
        const j = value();
        if (j !== 'world' && j !== 'clip') throw new InvalidInputError('bad-arguments', `--judge is "world" or "clip", got "${j}".`);
        o.judge = j;
        break;
      }
      case '--judge-model': o.judgeModel = value(); break;
      case '--latency-ms': o.latencyMs = num(flag, value()); break;
      case '--latency-runs': o.latencyRuns = num(flag, value(), true); break;
      case '--limit': o.limit = num(flag, value(), true); break;
      case '--browser': o.browser = true; break;
      case '--save-images': o.saveImages = value(); break;
      case '--resume': o.resume = true; break;
      case '--stop-after': o.stopAfter = num(flag, value(), true); break;
      case '--shard': o.shard = parseShard(value()); break;
      case '--help': case '-h': throw new InvalidInputError('help', USAGE);
      default: throw new InvalidInputError('bad-arguments', `Unknown argument "${flag}".\n${USAGE}`);
    }
  }
  if (!o.cases) throw new InvalidInputError('bad-arguments', `--cases is required.\n${USAGE}`);
  if (!o.out) throw new InvalidInputError('bad-arguments', `--out is required.\n${USAGE}`);
  if (o.stopAfter !== undefined && !o.resume) throw new InvalidInputError('bad-arguments', '--stop-after needs --resume (otherwise the work is lost).');
  if (o.shard !== undefined && !o.resume) throw new InvalidInputError('bad-arguments', '--shard needs --resume (the shards meet in DIR.partial).');
  if (o.switchFraction !== undefined && o.switchStep !== undefined) throw new InvalidInputError('bad-arguments', 'Give --switch or --switch-step, not both.');
  parseMethodList(o.methods); // unknown names fail now
  const command = ['npm run bench:ores --', ...argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))].join(' ');
  return { ...(o as OresBenchOptions), command, log };
}

function parseShard(spec: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(count >= 1 && index < count)) throw new InvalidInputError('bad-arguments', `--shard is K/N with 0 <= K < N (e.g. 0/2 and 1/2), got "${spec}".`);
  return { index, count };
}

