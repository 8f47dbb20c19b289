/// <reference lib="webworker" />
import * as ort from 'onnxruntime-web/webgpu';
import manifestJson from '../models-manifest/models.json';
import { ModelLoadError } from '../src/core/errors.ts';
import { parseManifest } from '../src/core/manifest.ts';
import { browserFetcher, modelCacheClaims } from '../src/engine/browserFetcher.ts';
import { detectCapabilities } from '../src/engine/detectCapabilities.ts';
import { createDiffusionHost } from '../src/engine/diffusionHost.ts';
import type { HostRequest, HostResponse } from '../src/engine/protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

const base = new URL(import.meta.env.BASE_URL, self.location.origin).href;
ort.env.wasm.wasmPaths = base + 'ort/'; // served by vite.config.ts, never a CDN
let caps: ReturnType<typeof detectCapabilities> | undefined;

const host = createDiffusionHost({
  ort,
  manifest: parseManifest(manifestJson),
  fetchManifest: async (url) => {
    const response = await fetch(new URL(url, base));
    if (!response.ok) throw new ModelLoadError('model-file-missing', `Could not read the models manifest ${url}: HTTP ${response.status}.`);
    return parseManifest(await response.json(), url);
  },
  fetcher: browserFetcher(),
  graphsBaseUrl: base + 'graphs/',
  origin: base,
  capabilities: () => (caps ??= detectCapabilities()),
  encodePng: async (img) => {
    const canvas = new OffscreenCanvas(img.width, img.height);
    canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
    return canvas.convertToBlob({ type: 'image/png' });
  },
  post: (m: HostResponse) => self.postMessage(m),
  hardwareConcurrency: self.navigator.hardwareConcurrency,
  cache: modelCacheClaims(),
});

self.onmessage = (e: MessageEvent<HostRequest>) => void host(e.data);
