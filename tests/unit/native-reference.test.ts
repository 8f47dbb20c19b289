// ORT-web (WASM) against native ONNX Runtime (onnxruntime-node, CPU) on the same files and inputs:
// the benchmark's native reference row is only fair if both compute the same thing.
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { findModel, type ModelManifest } from '../../src/core/manifest.ts';
import { generate } from '../../src/engine/generate.ts';
import { loadModel } from '../../src/engine/loadModel.ts';
import { sessionOptions } from '../../src/engine/sessionOptions.ts';
import { fsFetcher } from '../../src/node/fsFetcher.ts';
import { nativeOrt } from '../../src/node/nativeOrt.ts';
import { contextDim, maxAbsDiff, NATIVE_TOLERANCE, openUnet, runUnet, unetInputs } from '../../src/engine/unetReference.ts';
import { appManifest, fixtureManifest, fixtureModels, publicDir, unetBytes } from './helpers/engine.ts';

const native = nativeOrt(1);
const models: { id: string; manifest: ModelManifest; root: string }[] = [
  { id: 'tiny-sd', manifest: fixtureManifest, root: fixtureModels },
  { id: 'ores-tiny-world', manifest: appManifest, root: publicDir },
];

describe.each(models)('native ONNX Runtime vs ORT-web on $id', ({ id, manifest, root }) => {
  const entry = findModel(manifest, id);

  it(`UNet, batch 2 as under guidance: outputs agree within ${NATIVE_TOLERANCE}`, async () => {
    const web = await openUnet(ort, unetBytes(entry, root), entry, sessionOptions('wasm'));
    const nat = await openUnet(native, unetBytes(entry, root), entry, sessionOptions('wasm'));
    const x = unetInputs(entry, contextDim(web), 2);
    const a = await runUnet(ort, web, entry, x);
    const b = await runUnet(native, nat, entry, x);
    expect(a.length).toBe(2 * entry.latent.channels * entry.latent.height * entry.latent.width);
    expect(Math.max(...b.map(Math.abs))).toBeGreaterThan(0.01); // a real output, not zeros
    expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(NATIVE_TOLERANCE);
    // The inputs matter: another seed gives another output, beyond the tolerance.
    const other = await runUnet(native, nat, entry, unetInputs(entry, contextDim(web), 2, 7));
    expect(maxAbsDiff(b, other)).toBeGreaterThan(NATIVE_TOLERANCE);
    await Promise.all([web.release(), nat.release()]);
  });

  it('a whole image through the app loop: pixels within 2 levels of 255', async () => {
    const o = { provider: 'wasm' as const, fetcher: fsFetcher(root), graphsBaseUrl: publicDir + 'graphs/' };
    const [mw, mn] = await Promise.all([loadModel(ort, entry, o), loadModel(native, entry, o)]);
    const request = { prompt: 'a red circle on a navy background', seed: 3, steps: 8 };
    const [iw, inat] = [(await generate(mw, request)).image.data, (await generate(mn, request)).image.data];
    let worst = 0;
    for (let i = 0; i < iw.length; i++) worst = Math.max(worst, Math.abs(iw[i]! - inat[i]!));
    expect(worst).toBeLessThanOrEqual(2);
    await Promise.all([mw.release(), mn.release()]);
  });
});
