import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../core/errors.ts';
import type { ClipFiles } from '../engine/judge/clipFiles.ts';

/** A local CLIP folder in transformers.js layout (e.g. a copy of Xenova/clip-vit-base-patch16), read for createClipClassifier. */
export async function readClipFolder(dir: string): Promise<ClipFiles> {
  const read = (name: string) =>
    readFile(join(dir, name)).then(
      (b) => new Uint8Array(b),
      () => {
        throw new InvalidInputError('judge-missing', `The CLIP folder ${dir} has no ${name} (transformers.js layout: config.json, tokenizer.json, tokenizer_config.json, preprocessor_config.json, onnx/model.onnx).`);
      },
    );
  const [model, config, tokenizer, tokenizerConfig, preprocessorConfig] = await Promise.all(
    ['onnx/model.onnx', 'config.json', 'tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json'].map(read),
  );
  return { model: model!, config: config!, tokenizer: tokenizer!, tokenizerConfig: tokenizerConfig!, preprocessorConfig: preprocessorConfig! };
}
