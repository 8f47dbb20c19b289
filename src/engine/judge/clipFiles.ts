/**
 * Hands transformers.js a CLIP model's files from bytes we have already downloaded and checked, so
 * that it never reads the network or a disk: each model gets an id of its own, transformers.js'
 * custom cache answers that id's files from memory, remote models are off, and its fetch (used for
 * "local" files it asks for and we do not have) answers 404.
 */
import type { env as TransformersEnv } from '@huggingface/transformers';

/** The files of a transformers.js CLIP folder, by role. */
export interface ClipFiles {
  /** onnx/model.onnx: CLIPModel's combined text and vision graph. */
  readonly model: Uint8Array;
  readonly config: Uint8Array;
  readonly tokenizer: Uint8Array;
  readonly tokenizerConfig: Uint8Array;
  readonly preprocessorConfig: Uint8Array;
}

/** Where transformers.js looks for each role (dtype fp32: no suffix on the model file). */
const NAMES: Readonly<Record<keyof ClipFiles, string>> = {
  model: 'onnx/model.onnx',
  config: 'config.json',
  tokenizer: 'tokenizer.json',
  tokenizerConfig: 'tokenizer_config.json',
  preprocessorConfig: 'preprocessor_config.json',
};

const PREFIX = 'ores-judge';
const served = new Map<string, Map<string, Uint8Array>>();
let next = 0;
let installed = false;

/** The model and file a cache key names: ".../ores-judge/<id>/<file>" or ".../ores-judge/<id>/resolve/<rev>/<file>". */
function lookup(key: string): Uint8Array | undefined {
  const m = new RegExp(`${PREFIX}/([^/]+)/(?:resolve/[^/]+/)?(.+)$`).exec(key);
  return m ? served.get(m[1]!)?.get(m[2]!) : undefined;
}

function install(env: typeof TransformersEnv): void {
  if (installed) return;
  installed = true;
  env.allowRemoteModels = false;
  // transformers.js refuses to run with both local and remote models off; "local" files it asks for
  // beyond ours (optional ones) go to the fetch below, or to a folder that does not exist.
  env.allowLocalModels = true;
  env.localModelPath = '/ores-no-local-models/';
  env.useBrowserCache = false;
  env.useFSCache = false;
  env.useCustomCache = true;
  env.customCache = {
    match: async (key: string) => {
      const bytes = lookup(key);
      return bytes && new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-length': String(bytes.byteLength) } });
    },
    put: async () => {}, // our own cache already holds them
  };
  env.fetch = async () => new Response(null, { status: 404 });
}

/** Registers the files under a fresh model id for `pipeline(...)`; `release` forgets them. */
export function serveClipFiles(env: typeof TransformersEnv, files: ClipFiles): { modelId: string; release(): void } {
  install(env);
  const id = `m${next++}`;
  served.set(id, new Map(Object.entries(NAMES).map(([role, name]) => [name, files[role as keyof ClipFiles]])));
  return { modelId: `${PREFIX}/${id}`, release: () => void served.delete(id) };
}
