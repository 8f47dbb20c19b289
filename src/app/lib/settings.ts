/**
 * What the user typed and chose, kept exactly as typed (strings for numbers, so a bad seed is
 * shown back and explained rather than lost) and persisted in localStorage so a reload keeps it.
 * In kiosk mode only seed, steps and guidance are stored: never the policy's fields, nor a visitor's prompt.
 */
import type { Provider } from '../../core/capabilities.ts';
import type { ModelEntry } from '../../core/manifest.ts';

export interface Settings {
  prompt: string;
  negativePrompt: string;
  /** Banned concepts, comma-separated (ignored in kiosk mode: the policy's are used). */
  concepts: string;
  seed: string;
  steps: string;
  guidance: string;
  /** S/T (ignored in kiosk mode). */
  switchFraction: number;
  modelId: string;
  /** Educator view: also generate the ORIGINAL (u only), BLACK LIST and NEGATIVE PROMPT baselines. */
  compareOriginal: boolean;
  compareBlacklist: boolean;
  compareNegative: boolean;
  /** Educator view: also generate TIN with mask (changes only where u and u' disagree). */
  compareMask: boolean;
  /** Preview every k steps; 0 = none. */
  previewEvery: number;
  /** Load the local LLM at start (set once the user has loaded it: it is cached then). */
  llmModelId: string;
  /** Where the image model runs: 'auto' = the faster provider measured on this device. */
  provider: ProviderSetting;
}

export type ProviderSetting = 'auto' | Provider;
export const PROVIDER_SETTINGS: readonly ProviderSetting[] = ['auto', 'webgpu', 'wasm'];

export const PREVIEW_CHOICES = [0, 1, 2, 5] as const;

export function defaultSettings(entry: ModelEntry): Settings {
  return {
    prompt: '',
    negativePrompt: '',
    concepts: '',
    seed: '42',
    steps: String(entry.defaults.steps),
    guidance: String(entry.defaults.guidanceScale),
    switchFraction: entry.defaults.switchFraction,
    modelId: entry.id,
    compareOriginal: true,
    compareBlacklist: true,
    compareNegative: false,
    compareMask: false,
    previewEvery: 2,
    llmModelId: '',
    provider: 'auto',
  };
}

/** The fields a kiosk visitor may set and that are kept for the next visitor: never the prompt (it is the visitor's own). */
export const KIOSK_FIELDS = ['seed', 'steps', 'guidance'] as const satisfies readonly (keyof Settings)[];

export const STORAGE_KEY = 'ores.settings.v1';
export const KIOSK_STORAGE_KEY = 'ores.kiosk-settings.v1';

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

/** Reads stored settings over `defaults`, field by field; anything malformed is ignored. */
export function loadSettings(defaults: Settings, storage: StorageLike | undefined, kiosk: boolean): Settings {
  const out = { ...defaults };
  let raw: unknown;
  try {
    raw = JSON.parse(storage?.getItem(kiosk ? KIOSK_STORAGE_KEY : STORAGE_KEY) ?? 'null');
  } catch {
    return out;
  }
  if (!raw || typeof raw !== 'object') return out;
  const stored = raw as Record<string, unknown>;
  const fields = (kiosk ? KIOSK_FIELDS : (Object.keys(defaults) as (keyof Settings)[])) as readonly (keyof Settings)[];
  for (const key of fields) {
    const value = stored[key];
    const current = defaults[key];
    if (typeof value !== typeof current) continue;
    if (key === 'switchFraction' && !(typeof value === 'number' && value >= 0 && value <= 1)) continue;
    if (key === 'previewEvery' && !(PREVIEW_CHOICES as readonly unknown[]).includes(value)) continue;
    if (key === 'provider' && !(PROVIDER_SETTINGS as readonly unknown[]).includes(value)) continue;
    (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

export function saveSettings(settings: Settings, storage: StorageLike | undefined, kiosk: boolean): void {
  const value = kiosk ? Object.fromEntries(KIOSK_FIELDS.map((k) => [k, settings[k]])) : settings;
  try {
    storage?.setItem(kiosk ? KIOSK_STORAGE_KEY : STORAGE_KEY, JSON.stringify(value));
  } catch {
    // storage full or disabled: the page still works, it just forgets on reload
  }
}

/** When the model changes, its own defaults for steps, guidance and S apply. */
export function withModelDefaults(settings: Settings, entry: ModelEntry): Settings {
  return {
    ...settings,
    modelId: entry.id,
    steps: String(entry.defaults.steps),
    guidance: String(entry.defaults.guidanceScale),
    switchFraction: entry.defaults.switchFraction,
  };
}
