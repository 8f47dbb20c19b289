/**
 * Learned instructions in IndexedDB (idb-keyval), keyed by artifact id, plus which one is active.
 * Artifacts are validated on the way in and out.
 */
import { createStore, del, get, keys, set, type UseStore } from 'idb-keyval';
import { parseInstructionArtifact, type InstructionArtifact } from '../../core/rewrite/artifact.ts';

const ACTIVE_KEY = '__active__';
let store: UseStore | undefined;
/** Opened on first use (createStore opens the database immediately). */
const db = (): UseStore => (store ??= createStore('ores-instructions', 'artifacts'));

export async function saveInstruction(artifact: InstructionArtifact): Promise<void> {
  await set(artifact.id, parseInstructionArtifact(artifact), db());
}

export async function loadInstruction(id: string): Promise<InstructionArtifact | undefined> {
  const v: unknown = await get(id, db());
  return v === undefined ? undefined : parseInstructionArtifact(v);
}

export async function listInstructionIds(): Promise<string[]> {
  return (await keys<string>(db())).filter((k) => k !== ACTIVE_KEY);
}

export async function deleteInstruction(id: string): Promise<void> {
  await del(id, db());
  if ((await get(ACTIVE_KEY, db())) === id) await del(ACTIVE_KEY, db());
}

export async function setActiveInstruction(id: string | undefined): Promise<void> {
  if (id === undefined) await del(ACTIVE_KEY, db());
  else await set(ACTIVE_KEY, id, db());
}

export async function getActiveInstruction(): Promise<InstructionArtifact | undefined> {
  const id: unknown = await get(ACTIVE_KEY, db());
  return typeof id === 'string' ? loadInstruction(id) : undefined;
}

/** The artifact as a downloadable JSON file. */
export function exportInstruction(artifact: InstructionArtifact): Blob {
  return new Blob([JSON.stringify(artifact, null, 2)], { type: 'application/json' });
}
