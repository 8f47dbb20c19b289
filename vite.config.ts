import { createReadStream, mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

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

export default defineConfig({
  plugins: [svelte(), ortRuntime()],
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
