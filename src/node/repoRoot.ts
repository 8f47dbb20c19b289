import { dirname, resolve } from 'node:path';

/** The repository's root folder (the Node tools read models, graphs and the lexicon from it). */
export const REPO_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
