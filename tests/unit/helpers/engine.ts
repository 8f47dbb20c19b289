import * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fileUrl, findModel, parseManifest, type ModelEntry, type ModelManifest } from '../../../src/core/manifest.ts';
import { loadModel, type LoadedModel } from '../../../src/engine/loadModel.ts';
import { fsFetcher } from '../../../src/node/fsFetcher.ts';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const fixtureModels = repoRoot + 'tests/fixtures/models/';
export const publicDir = repoRoot + 'public/';

export const fixtureManifest: ModelManifest = parseManifest(JSON.parse(readFileSync(fixtureModels + 'manifest.json', 'utf8')));
export const appManifest: ModelManifest = parseManifest(JSON.parse(readFileSync(repoRoot + 'models-manifest/models.json', 'utf8')));

/** Loads a fixture model in Node on the WASM provider, through the app's own loader. */
export function loadFixture(id: string): Promise<LoadedModel> {
  return loadModel(ort, findModel(fixtureManifest, id), {
    provider: 'wasm',
    fetcher: fsFetcher(fixtureModels),
    graphsBaseUrl: publicDir + 'graphs/',
  });
}

/** Loads a model of the app's manifest (the embedded one) from public/. */
export function loadAppModel(id: string): Promise<LoadedModel> {
  return loadModel(ort, findModel(appManifest, id), { provider: 'wasm', fetcher: fsFetcher(publicDir), graphsBaseUrl: publicDir + 'graphs/' });
}

/** The bytes of a model's UNet file, under `root` (fixtureModels or publicDir). */
export function unetBytes(entry: ModelEntry, root: string): Uint8Array {
  return new Uint8Array(readFileSync(root + fileUrl(entry, entry.files.unet.path)));
}
