import { describe, expect, test } from 'vitest';
import * as ort from 'onnxruntime-web';
import { findModel, type ModelEntry } from '../../src/core/manifest.ts';
import type { Progress } from '../../src/core/pipeline/progress.ts';
import { generate } from '../../src/engine/generate.ts';
import { loadModel } from '../../src/engine/loadModel.ts';
import { fsFetcher } from '../../src/node/fsFetcher.ts';
import { fixtureManifest, fixtureModels, loadFixture, publicDir } from './helpers/engine.ts';

// tests/fixtures/models/tiny-sd/unet_external/ is the fixture UNet re-saved by
// tools/fixtures/external_data_fixture.py with every weight in model.onnx_data, the layout of big hub models.
const load = (entry: ModelEntry, onProgress?: (p: Progress) => void) =>
  loadModel(ort, entry, { provider: 'wasm', fetcher: fsFetcher(fixtureModels), graphsBaseUrl: publicDir + 'graphs/', onProgress });

describe('ONNX external data (model.onnx + model.onnx_data)', () => {
  test('the weights come from the external file: same image as the single-file UNet (two loads at once)', async () => {
    const progress: Progress[] = [];
    const [ext, plain] = await Promise.all([load(findModel(fixtureManifest, 'tiny-sd-external'), (p) => progress.push(p)), loadFixture('tiny-sd')]);
    try {
      const request = { prompt: 'a red cat', seed: 9, steps: 4 };
      const a = await generate(ext, request);
      const b = await generate(plain, request);
      expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
      // The progress total counts the external data (6800 bytes) with the model files, from the sizes the entry gives.
      const files = Object.values(findModel(fixtureManifest, 'tiny-sd-external').files);
      expect(progress.at(-1)!.bytesTotal).toBe(files.reduce((s, f) => s + f.bytes!, 0) + 6800);
      expect(progress.at(-1)!.bytesLoaded).toBe(progress.at(-1)!.bytesTotal);
    } finally {
      await Promise.all([ext.release(), plain.release()]);
    }
  });

  test('a model whose external data the manifest does not list cannot be opened (specific error)', async () => {
    const entry = structuredClone(findModel(fixtureManifest, 'tiny-sd-external'));
    delete entry.files.unet.externalData;
    const p = load(entry);
    await expect(p).rejects.toMatchObject({ code: 'model-file-corrupt' });
    await expect(p).rejects.toThrow(/UNet .* could not be opened as an ONNX model/);
  });

  test('a missing external-data file is reported with its URL', async () => {
    const entry = structuredClone(findModel(fixtureManifest, 'tiny-sd-external'));
    entry.files.unet.externalData = [{ path: 'weights.pb' }];
    const p = load(entry);
    await expect(p).rejects.toMatchObject({ code: 'model-file-missing' });
    await expect(p).rejects.toThrow(/unet_external\/weights\.pb/);
  });

  test('external data of the wrong size is rejected as corrupt before any session opens', async () => {
    const entry = structuredClone(findModel(fixtureManifest, 'tiny-sd-external'));
    entry.files.unet.externalData = [{ path: 'model.onnx_data', bytes: 6801 }];
    const p = load(entry);
    await expect(p).rejects.toMatchObject({ code: 'model-file-corrupt' });
    await expect(p).rejects.toThrow(/unet external data file .* has 6800 bytes; 6801 were expected/);
  });
});
