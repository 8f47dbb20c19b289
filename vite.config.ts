import { createReadStream, mkdirSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

// Cross-origin isolation lets onnxruntime-web use threaded WASM (SharedArrayBuffer).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// onnxruntime-web loads its WASM runtime at run time; serve it ourselves so nothing comes from a CDN.
const ORT_DIST = 'node_modules/onnxruntime-web/dist';
const ORT_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];

function ortRuntime(): Plugin {
  let outDir = 'dist';
  return {
    name: 'ort-runtime',
    configResolved(c) {
      outDir = c.build.outDir;
    },
    configureServer(server) {
      server.middlewares.use('/ort/', (req, res, next) => {
        const name = (req.url ?? '').split('?')[0]!.replace(/^\//, '');
        if (!ORT_FILES.includes(name)) return next();
        res.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        for (const [k, v] of Object.entries(isolation)) res.setHeader(k, v);
        createReadStream(join(ORT_DIST, name)).pipe(res);
      });
    },
    writeBundle() {
      mkdirSync(join(outDir, 'ort'), { recursive: true });
      for (const f of ORT_FILES) copyFileSync(join(ORT_DIST, f), join(outDir, 'ort', f));
    },
  };
}

/**
 * The app shell offline: a Workbox service worker precaches the built app, the ORT runtime, the
 * helper graphs, the guard lexicon and the embedded model. A new build waits until the page says
 * "reload" (registerType 'prompt'), so it never replaces the app under a running generation.
 * Precached responses keep the headers they were fetched with, COOP/COEP included, so the page
 * stays cross-origin isolated when the service worker serves it.
 */
function offlineShell(): Plugin[] {
  return VitePWA({
    registerType: 'prompt',
    injectRegister: false, // src/app/lib/appUpdate.svelte.ts registers it
    manifest: {
      name: 'ORES: responsible image generation in your browser',
      short_name: 'ORES',
      description: 'Generates images in the browser while avoiding the concepts an administrator bans. Works offline after the first visit.',
      start_url: '.',
      scope: '.',
      display: 'standalone',
      background_color: '#14213d',
      theme_color: '#14213d',
      icons: [
        { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
    },
    workbox: {
      // (The manifest and its icons are added by the plugin itself.)
      globPatterns: ['**/*.{js,css,html}', 'ort/*.{mjs,wasm}', 'graphs/*.onnx', 'guard/lexicon.json', 'models/ores-tiny-world/**/*.{onnx,json}'],
      // The ORT runtime (27 MB of WASM) and the embedded UNet (9 MB) are far above Workbox's 2 MB default.
      maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
      navigateFallback: 'index.html',
      cleanupOutdatedCaches: true,
      // The kiosk check asks for policy.json at every start and fails closed when it cannot be read
      // (src/app/lib/kiosk.ts). Offline, the last answer (a deployed policy, or the 404 that says
      // there is none) is served from the cache, so neither a kiosk nor the normal page breaks.
      runtimeCaching: [
        {
          urlPattern: ({ url }) => url.pathname.endsWith('/policy.json'),
          handler: 'NetworkFirst',
          options: { cacheName: 'ores-policy', cacheableResponse: { statuses: [200, 404] } },
        },
      ],
    },
  });
}

// The version line in the page's footer: package.json's, unless ORES_VERSION names the build (a
// deploy, or tests/browser/update.spec.ts, which needs two builds that differ).
const version = process.env.ORES_VERSION ?? (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

export default defineConfig({
  plugins: [svelte(), ortRuntime(), offlineShell()],
  define: { __ORES_VERSION__: JSON.stringify(version) },
  // Under tests (ORES_TEST=1) nothing is watched and no page is hot-reloaded mid-generation.
  server: {
    headers: isolation,
    port: 5173,
    strictPort: true,
    hmr: !process.env.ORES_TEST,
    watch: process.env.ORES_TEST ? { ignored: ['**/*'] } : undefined,
  },
  preview: { headers: isolation, port: 4173, strictPort: true },
  // onnxruntime-web's builds that load their runtime from wasmPaths (ort/, above) instead of
  // carrying it: with the default ones Vite emits a second copy of the 26.8 MB .wasm into assets/.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  worker: { format: 'es' },
  // Pre-bundle a fixed list: discovering a dependency at run time makes Vite reload the page,
  // which would kill a generation (and a test) in progress.
  optimizeDeps: {
    noDiscovery: true,
    include: ['zod', 'idb-keyval', 'fast-png'],
    exclude: ['onnxruntime-web', '@huggingface/transformers', '@mlc-ai/web-llm'],
  },
  build: { target: 'es2022' },
});
