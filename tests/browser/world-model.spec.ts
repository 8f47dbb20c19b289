import { expect, test } from '@playwright/test';
import * as ort from 'onnxruntime-web';
import { findModel } from '../../src/core/manifest.ts';
import { generate } from '../../src/engine/generate.ts';
import { loadModel } from '../../src/engine/loadModel.ts';
import { fsFetcher } from '../../src/node/fsFetcher.ts';
import { appManifest, publicDir } from '../unit/helpers/engine.ts';

type Out = { ok: boolean; provider?: string; rgba?: number[]; readbacks?: number; error?: { message: string } };

test('the embedded model gives the same image in Chromium (WebGPU and WASM) and in Node (WASM)', async ({ page }) => {
  test.setTimeout(600_000);
  // 6 steps: each step of this UNet takes seconds on SwiftShader; the comparison needs no more.
  const request = { prompt: 'a large crimson disc on a navy background', seed: 5, steps: 6 };
  const node = await loadModel(ort, findModel(appManifest, 'ores-tiny-world'), { provider: 'wasm', fetcher: fsFetcher(publicDir), graphsBaseUrl: publicDir + 'graphs/' });
  const reference = Array.from((await generate(node, request)).image.data);
  await node.release();

  await page.goto('/tests/browser/harness.html');
  await expect(page).toHaveTitle('ready');
  const run = (provider: string) =>
    page.evaluate((o) => (window as unknown as { harness: { run: (o: object) => Promise<Out> } }).harness.run(o), { modelId: 'ores-tiny-world', provider, request });
  for (const provider of ['webgpu', 'wasm']) {
    const out = await run(provider);
    expect(out.error).toBeUndefined();
    expect(out.provider).toBe(provider);
    expect(out.readbacks).toBe(1);
    // fp32 kernels sum in different orders on WebGPU and WASM: allow 3/255 per channel.
    const diffs = out.rgba!.map((v, i) => Math.abs(v - reference[i]!));
    expect(Math.max(...diffs)).toBeLessThanOrEqual(3);
  }
});
