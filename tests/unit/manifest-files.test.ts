// The manifests' sizes and checksums against the files on disk, hub pinning, and what deleting a
// model frees. (Loading with checks, eviction and refetch: tests/unit/http-loading.test.ts.)
import { describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { assertPinned, externalDataUrl, fileUrl, findModel, unpinnedUrls, urlsToDelete, type ModelManifest } from '../../src/core/manifest.ts';
import { loadLexicon } from '../../src/core/guard/lexicon.ts';
import { loadModel } from '../../src/engine/loadModel.ts';
import { appManifest, fixtureManifest, fixtureModels, publicDir, repoRoot } from './helpers/engine.ts';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Every local file an entry names, as [label, path on disk, the manifest's bytes, the manifest's sha256]. */
function localFiles(m: ModelManifest, dir: string): [string, string, number | undefined, string | undefined][] {
  return m.models
    .filter((e) => !/^https?:/.test(e.baseUrl))
    .flatMap((e) =>
      Object.values(e.files).flatMap((f) => [
        [`${e.id} ${f.path}`, join(dir, fileUrl(e, f.path)), f.bytes, f.sha256] as [string, string, number | undefined, string | undefined],
        ...(f.externalData ?? []).map((d) => [`${e.id} ${d.path}`, join(dir, externalDataUrl(e, f, d.path)), d.bytes, d.sha256] as [string, string, number | undefined, string | undefined]),
      ]),
    );
}

describe('bytes and sha256 of every local file match the file on disk', () => {
  test.each(localFiles(appManifest, publicDir))('app manifest: %s', (_, path, bytes, hash) => {
    expect(bytes).toBe(readFileSync(path).length);
    expect(hash).toBe(sha256(path));
  });

  test.each(localFiles(fixtureManifest, fixtureModels).filter(([, p]) => existsSync(p)))('fixture manifest: %s', (_, path, bytes, hash) => {
    expect(bytes).toBe(readFileSync(path).length);
    expect(hash).toBe(sha256(path));
  });

  test('the only fixture file without checks is the one that is deliberately missing', () => {
    const unchecked = localFiles(fixtureManifest, fixtureModels).filter(([, , , h]) => h === undefined);
    expect(unchecked.map(([label]) => label)).toEqual(['tiny-sd-missing unet/missing.onnx']);
    expect(existsSync(unchecked[0]![1])).toBe(false);
  });

  test('the app assets are every helper graph and the guard lexicon, each with its size and sha256', () => {
    const graphs = readdirSync(publicDir + 'graphs').filter((n) => n.endsWith('.onnx'));
    expect(Object.keys(appManifest.assets).sort()).toEqual([...graphs.map((g) => `graphs/${g}`), 'guard/lexicon.json'].sort());
    for (const [path, check] of Object.entries(appManifest.assets)) {
      expect(check.bytes, path).toBe(readFileSync(publicDir + path).length);
      expect(check.sha256, path).toBe(sha256(publicDir + path));
    }
  });

  test('npm run manifest:hash -- --check finds both manifests up to date', () => {
    const out = execFileSync('npx', ['tsx', 'tools/manifest/hash-manifest.ts', '--check'], { cwd: repoRoot, encoding: 'utf8' });
    expect(out).toMatch(/models-manifest\/models\.json: up to date/);
    expect(out).toMatch(/tests\/fixtures\/models\/manifest\.json: up to date/);
  });
});

describe('hub files are pinned to a commit, or the entry is refused', () => {
  test('sd-turbo is pinned throughout; sd21-base names the main branch and is refused before any download', async () => {
    expect(unpinnedUrls(findModel(appManifest, 'sd-turbo'))).toEqual([]);
    const sd21 = findModel(appManifest, 'sd21-base');
    expect(unpinnedUrls(sd21).length).toBe(5); // its own files (4 + external data); the shared tokenizer is pinned
    expect(() => assertPinned(sd21)).toThrow(/names hub files by a branch, not a commit \(https:\/\/huggingface\.co\/aislamov\/.*\/resolve\/main\//);
    const fetched: string[] = [];
    const load = loadModel(ort, sd21, {
      provider: 'wasm',
      graphsBaseUrl: 'graphs/',
      fetcher: { fetchBytes: async (url) => (fetched.push(url), new Uint8Array()) },
    });
    await expect(load).rejects.toMatchObject({ code: 'unpinned-model-url' });
    expect(fetched).toEqual([]);
  });

  test('a commit is 40 hex digits: tags, short hashes and branches are unpinned', () => {
    const entry = structuredClone(findModel(appManifest, 'sd-turbo'));
    for (const rev of ['v1.0', '7b51591', 'main']) {
      entry.baseUrl = `https://huggingface.co/a/b/resolve/${rev}/`;
      expect(unpinnedUrls(entry).length, rev).toBe(3);
    }
  });
});

describe('deleting a model frees what it alone uses', () => {
  const sd = ['a/unet.onnx', 'a/text.onnx', 'hub/tokenizer.json'];
  const turbo = ['b/unet.onnx', 'b/text.onnx', 'hub/tokenizer.json'];
  const graphs = ['graphs/latent_step.onnx', 'graphs/concat2.onnx'];

  test('a tokenizer and graphs another loaded model claimed stay', () => {
    expect(urlsToDelete([...sd, ...graphs], [[...turbo, ...graphs]])).toEqual(['a/unet.onnx', 'a/text.onnx']);
  });

  test('the last model takes the shared graphs with it', () => {
    expect(urlsToDelete([...sd, ...graphs], [])).toEqual([...sd, ...graphs]);
  });

  test('a file listed twice is deleted once', () => {
    expect(urlsToDelete([...sd, ...sd], [turbo])).toEqual(['a/unet.onnx', 'a/text.onnx']);
  });
});

describe('the guard lexicon is checked before use', () => {
  const file = readFileSync(publicDir + 'guard/lexicon.json');
  const serve = (body: Uint8Array) => (async () => new Response(body as Uint8Array<ArrayBuffer>)) as unknown as typeof fetch;
  const expected = appManifest.assets['guard/lexicon.json'];

  test('the shipped file passes and parses', async () => {
    const lexicon = await loadLexicon('guard/lexicon.json', serve(file), expected);
    expect(lexicon.wordCount).toBeGreaterThan(100_000);
  });

  test('one flipped byte is refused with a specific error', async () => {
    const bad = new Uint8Array(file);
    bad[1000]! ^= 1;
    await expect(loadLexicon('guard/lexicon.json', serve(bad), expected)).rejects.toMatchObject({ code: 'lexicon-corrupt' });
    await expect(loadLexicon('guard/lexicon.json', serve(bad.subarray(1)), expected)).rejects.toThrow(new RegExp(`has ${file.length - 1} bytes; ${file.length} were expected`));
  });
});
