/**
 * What this site keeps in the browser, for the storage view: the offline copy of the app (service
 * worker cache, with the embedded model and the guard lexicon), downloaded image models (IndexedDB),
 * WebLLM models, the browser's usage and quota, and whether the storage is persistent.
 */
import { fileProblem, type ExpectedFile } from '../../core/fileCheck.ts';
import { LEXICON_URL } from '../../core/guard/lexicon.ts';
import type { ModelManifest } from '../../core/manifest.ts';
import { storageEstimate } from '../../engine/browserFetcher.ts';
import { cacheBytes, persistence, verifyCachedModel } from '../lib/modelCache.ts';
import type { DiffusionState } from './diffusion.svelte.ts';

export interface StoredItem {
  key: string;
  kind: 'image model' | 'language model' | 'app' | 'lexicon';
  name: string;
  /** Bytes, where they are known; `approx` for hub sizes rounded by the hub. */
  bytes?: number;
  approx?: boolean;
  note?: string;
  verify?: () => Promise<string>;
  remove?: () => Promise<string>;
}

/** Sum of Content-Length of every response in the caches whose name starts with `prefix` (no body is read). */
async function cacheStorageBytes(prefix: string): Promise<number | undefined> {
  if (typeof caches === 'undefined') return undefined;
  let total = 0;
  let any = false;
  for (const name of (await caches.keys()).filter((n) => n.startsWith(prefix))) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      any = true;
      total += Number((await cache.match(req))?.headers.get('content-length') ?? 0);
    }
  }
  return any ? total : undefined;
}

export class StorageState {
  items = $state.raw<StoredItem[]>([]);
  usage = $state<{ usage: number; quota: number } | undefined>(undefined);
  busy = $state<string | null>(null);
  /** What the last verify or delete did, kept when the item itself is gone. */
  notice = $state<string | null>(null);

  constructor(
    private readonly manifest: ModelManifest,
    private readonly diffusion: DiffusionState,
    private readonly base: string,
  ) {}

  async refresh(): Promise<void> {
    this.usage = await storageEstimate();
    this.diffusion.persisted = await persistence(false);
    const items: StoredItem[] = [];
    const app = await cacheStorageBytes('workbox-precache');
    items.push({
      key: 'app',
      kind: 'app',
      name: 'The app, for offline use (with the embedded model and the ORT runtime)',
      bytes: app,
      note: app === undefined ? 'not stored: this page has no service worker (development server, or the first visit is still storing it)' : 'updated with each new version',
    });
    const lexicon = this.manifest.assets[LEXICON_URL];
    if (lexicon) items.push({ key: 'lexicon', kind: 'lexicon', name: 'Guard lexicon (WordNet)', bytes: lexicon.bytes, note: 'part of the app', verify: () => this.verifyLexicon(lexicon) });
    for (const m of this.manifest.models) {
      const { cached, files } = await cacheBytes(m, this.diffusion.modelOrigin);
      if (files === 0) continue;
      const exact = Object.values(m.files).every((f) => f.bytes !== undefined);
      items.push({
        key: `image:${m.id}`,
        kind: 'image model',
        name: m.name,
        bytes: cached,
        approx: !exact,
        note: m.embedded ? 'a copy the loader keeps; the app has the model too' : this.diffusion.downloaded[m.id] ? undefined : 'partly downloaded',
        verify: async () => {
          const r = await verifyCachedModel(m, this.diffusion.modelOrigin);
          if (r.damaged.length) await this.diffusion.refreshDownloaded();
          const unchecked = r.unchecked ? `; ${r.unchecked} without a known size or checksum` : '';
          return r.damaged.length
            ? `${r.damaged.length} damaged file(s) removed, fetched again on the next load: ${r.damaged.join('; ')}`
            : `${r.checked} file(s) verified${unchecked}.`;
        },
        remove: async () => `${await this.diffusion.deleteCached(m.id)} file(s) deleted.`,
      });
    }
    items.push(...(await this.languageModels()));
    this.items = items;
  }

  /** WebLLM models in its cache (IndexedDB): WebLLM publishes no per-model size or checksum, so none is shown. */
  private async languageModels(): Promise<StoredItem[]> {
    try {
      const [{ SUPPORTED_MODELS, modelIdFor }, { isModelCached, deleteCachedModel }] = await Promise.all([
        import('../../engine/llm/models.ts'),
        import('../../engine/llm/engineClient.ts'),
      ]);
      const ids = SUPPORTED_MODELS.flatMap((m) => (['q4f16_1', 'q4f32_1'] as const).map((q) => modelIdFor(m.base, q)));
      const cached = (await Promise.all(ids.map(async (id) => ((await isModelCached(id).catch(() => false)) ? id : null)))).filter((x): x is string => x !== null);
      return cached.map((id) => ({
        key: `llm:${id}`,
        kind: 'language model' as const,
        name: id,
        note: 'WebLLM cache; its size is part of the browser total above',
        remove: async () => {
          await deleteCachedModel(id);
          return 'deleted.';
        },
      }));
    } catch {
      return [];
    }
  }

  private async verifyLexicon(expected: ExpectedFile): Promise<string> {
    const res = await fetch(new URL(LEXICON_URL, this.base));
    const problem = await fileProblem(new Uint8Array(await res.arrayBuffer()), expected);
    return problem ? `The lexicon ${problem}; reload the app to fetch it again.` : 'verified.';
  }

  async run(item: StoredItem, action: 'verify' | 'remove'): Promise<void> {
    const job = action === 'verify' ? item.verify : item.remove;
    if (!job || this.busy) return;
    this.busy = item.key;
    try {
      this.notice = `${item.name}: ${await job()}`;
    } catch (e) {
      this.notice = `${item.name}: failed: ${(e as Error).message}`;
    } finally {
      this.busy = null;
    }
    await this.refresh();
  }
}
