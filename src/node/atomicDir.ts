import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidInputError } from '../core/errors.ts';

/** Writes via a temporary name and a rename, so a reader never sees a half-written file. */
export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(path + '.tmp', data);
  await rename(path + '.tmp', path);
}

/**
 * Writes a folder of results so that nothing partial ever sits at the final path: files go to a
 * sibling `<out>.partial-<pid>-<time>` folder, which replaces `<out>` only in `commit()`. The first
 * file written should be a marker that says "complete": false; an interrupted run leaves only
 * that partial folder behind, never a half-written `<out>`.
 */
export class AtomicDir {
  private constructor(
    readonly out: string,
    readonly partial: string,
  ) {}

  /**
   * Without `resumeKey`, a fresh `<out>.partial-<pid>-<time>` folder. With it, the stable
   * `<out>.partial` folder, kept when an earlier run with the same key left it (so that run's
   * finished work can be picked up) and replaced otherwise, unless `keepStale` (concurrent shards
   * of one run must never delete each other's work): then a folder of another run is an error.
   * Creating it is race-free: it is built under a private name and renamed into place.
   */
  static async begin(out: string, resumeKey?: string, keepStale = false): Promise<AtomicDir> {
    const abs = resolve(out);
    if (resumeKey === undefined) {
      const partial = join(dirname(abs), `${basename(abs)}.partial-${process.pid}-${Date.now()}`);
      await mkdir(partial, { recursive: true });
      return new AtomicDir(abs, partial);
    }
    const partial = `${abs}.partial`;
    const keyFile = join(partial, 'resume-key.txt');
    const readKey = () => readFile(keyFile, 'utf8').catch(() => null);
    // Look for the folder before reading its key: the key is written before the folder is renamed
    // into place, so a folder that exists has its key (read the other way round, a shard creating
    // the folder in between made it look like another run's).
    if (await stat(partial).then(() => true, () => false)) {
      if ((await readKey()) === resumeKey) return new AtomicDir(abs, partial);
      if (keepStale) {
        throw new InvalidInputError('partial-of-another-run', `${partial} holds the unfinished work of a different run (other cases, model or settings). Delete it, or start the run without --shard once to replace it.`);
      }
      await rm(partial, { recursive: true, force: true });
    }
    const staging = `${partial}-${process.pid}-${randomUUID()}`;
    await mkdir(staging, { recursive: true });
    await writeFile(join(staging, 'resume-key.txt'), resumeKey);
    try {
      await rename(staging, partial);
    } catch (e) {
      // Another shard created it first: fine if it is the same run.
      await rm(staging, { recursive: true, force: true });
      if ((await readKey()) !== resumeKey) throw e;
    }
    return new AtomicDir(abs, partial);
  }

  /** A file an earlier run with the same resume key left, or null. */
  async read(name: string): Promise<string | null> {
    return readFile(join(this.partial, name), 'utf8').catch(() => null);
  }

  /** Deletes a file or folder from the partial folder (work files that must not be published). */
  async remove(name: string): Promise<void> {
    await rm(join(this.partial, name), { recursive: true, force: true });
  }

  /** Writes so that even inside the partial folder no file is half-written. */
  async write(name: string, data: string | Uint8Array): Promise<void> {
    const path = join(this.partial, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomically(path, data);
  }

  /** Moves the finished folder to `out`, replacing an earlier run's folder. */
  async commit(): Promise<void> {
    const exists = await stat(this.out).then(
      () => true,
      () => false,
    );
    const old = `${this.out}.old-${process.pid}-${Date.now()}`;
    if (exists) await rename(this.out, old);
    await rename(this.partial, this.out);
    if (exists) await rm(old, { recursive: true, force: true });
  }
}
