// Peak resident memory of Chromium's processes during one step of a benchmark, from Linux's /proc:
// VmHWM (the high-water mark of the resident set) after resetting it with clear_refs 5. It counts
// everything a process holds (JS heap, ArrayBuffers, WebCrypto's copies of its input, IndexedDB's
// buffers), which performance.memory (the JS heap alone) does not; Linux only.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** Peak above the resident level before the step, in bytes, by process type ('browser', 'renderer', 'gpu-process', 'utility'...). */
export type ProcessPeaks = Record<string, number>;

const read = (pid: number, file: string): string => {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return ''; // the process has exited
  }
};
const statusKb = (pid: number, field: 'VmRSS' | 'VmHWM') => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(read(pid, 'status'))?.[1] ?? NaN);
/** The parent pid: the field after the command name in parentheses (which may hold spaces). */
const parentOf = (pid: number) => Number(read(pid, 'stat').replace(/^.*\) \S+ /s, '').split(' ')[0]);

/** Chromium's processes for this profile: the browser (its command line names the profile folder) and its descendants, with their types. */
export function chromiumProcesses(profileDir: string): { pid: number; type: string }[] {
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  // Child processes rewrite their command line into one space-separated string: match on the text.
  const cmdline = new Map(pids.map((p) => [p, read(p, 'cmdline').replaceAll('\0', ' ')]));
  const root = pids.find((p) => cmdline.get(p)!.includes(`--user-data-dir=${profileDir} `) && !cmdline.get(p)!.includes('--type='));
  if (root === undefined) throw new Error(`No Chromium process uses the profile ${profileDir}.`);
  const family = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of pids) {
      if (family.has(p) || !family.has(parentOf(p))) continue;
      family.add(p);
      grew = true;
    }
  }
  return [...family].map((pid) => {
    const args = cmdline.get(pid)!;
    const type = /--type=(\S+)/.exec(args)?.[1] ?? 'browser';
    const sub = /--utility-sub-type=(\S+)/.exec(args)?.[1];
    return { pid, type: sub ? `${type} ${sub}` : type };
  });
}

/** Runs `step` and returns its value with, per process type, the largest peak above the level before (a process started during the step is not seen). */
export async function withProcessPeaks<T>(profileDir: string, step: () => Promise<T>): Promise<{ value: T; peaks: ProcessPeaks }> {
  const procs = chromiumProcesses(profileDir);
  const before = new Map<number, number>();
  for (const p of procs) {
    writeFileSync(`/proc/${p.pid}/clear_refs`, '5');
    before.set(p.pid, statusKb(p.pid, 'VmRSS'));
  }
  const value = await step();
  const peaks: ProcessPeaks = {};
  for (const p of procs) {
    const rise = (statusKb(p.pid, 'VmHWM') - before.get(p.pid)!) * 1024;
    if (Number.isFinite(rise)) peaks[p.type] = Math.max(peaks[p.type] ?? 0, rise);
  }
  return { value, peaks };
}
