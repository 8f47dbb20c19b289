/**
 * Kiosk mode: finds and loads the policy that locks the page, and fails closed: once kiosk mode is
 * asked for, a policy that cannot be read or validated shows the error screen and nothing can be
 * generated; the normal page is never the fallback.
 *
 * Where the policy comes from, first match wins:
 *   0. A kiosk build (`npm run build:kiosk -- --policy FILE`) has it baked in and no normal mode.
 *   1. `policy.json` served next to the app (public/policy.json): the deployment's own policy.
 *      When it exists, a `?kiosk=` parameter cannot replace it. A 404 (or the dev server's
 *      index.html fallback) means "not deployed"; any other failure (503, a broken file, a network
 *      error) is the error screen, except a network error in a browser that was already told,
 *      online, that no policy is deployed (the normal page offline).
 *   2. `?kiosk=<same-origin path of a policy file>`. Other origins and data: URLs are refused.
 *      The choice sticks in this browser (removing the parameter keeps the kiosk); an operator
 *      leaves kiosk mode by clearing the site's data.
 * No policy: the normal, editable page.
 */
import { asOresError, InvalidInputError, type OresError } from '../../core/errors.ts';
import type { ModelManifest } from '../../core/manifest.ts';
import { checkPolicyInstruction, checkPolicyModel, parsePolicy, type ResolvedPolicy } from '../../core/policy/schema.ts';
import { parseInstructionArtifact, type InstructionArtifact } from '../../core/rewrite/artifact.ts';

export type KioskState =
  | { mode: 'normal' }
  | { mode: 'kiosk'; policy: ResolvedPolicy }
  | { mode: 'kiosk-error'; source: string; error: OresError };

type Fetch = (url: string) => Promise<Response>;

/** Where a `?kiosk=` choice is remembered, so that removing the parameter does not unlock the page. */
export const KIOSK_LOCK_KEY = 'ores.kiosk-lock.v1';
/** Set when this site answered that no policy.json is deployed: the one case in which an unreachable check (offline) may open the normal page. */
export const NO_POLICY_KEY = 'ores.no-deployed-policy.v1';

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

/** True when the response is a JSON file rather than the dev server's index.html fallback. */
function isFile(response: Response): boolean {
  return response.ok && !(response.headers.get('content-type') ?? '').includes('text/html');
}

/** A `?kiosk=` value as a URL of this page's origin; anything else is refused. */
function sameOriginPolicyUrl(param: string, pageUrl: string): string {
  const page = new URL(pageUrl);
  let url: URL;
  try {
    url = new URL(param, pageUrl);
  } catch {
    throw new InvalidInputError('policy-unreachable', `"?kiosk=${param}" is not a URL of a policy file.`);
  }
  if (url.origin !== page.origin) {
    throw new InvalidInputError('policy-not-same-origin', `"?kiosk=${param.slice(0, 80)}" is refused: a kiosk policy must be a file of this site (${page.origin}), not ${url.protocol === 'data:' ? 'a data: URL' : url.origin}.`);
  }
  return url.href;
}

/**
 * The policy URL for this page: null for the normal page, '' for "?kiosk=" without a URL. Throws
 * (the error screen) when a deployed policy cannot be checked or `?kiosk=` names another origin.
 */
export async function findPolicyUrl(pageUrl: string, appBase: string, fetchImpl: Fetch = fetch, storage?: StorageLike): Promise<string | null> {
  const deployed = new URL('policy.json', appBase).href;
  let r: Response | null = null;
  try {
    r = await fetchImpl(deployed);
  } catch (e) {
    // Offline: only a browser that has seen this site without a deployed policy may go on to the normal page.
    if (storage?.getItem(NO_POLICY_KEY) !== deployed) {
      throw new InvalidInputError('policy-unreachable', `Could not check for a deployed kiosk policy at ${deployed} (${(e as Error).message}); the page stays locked until it can.`);
    }
  }
  if (r && isFile(r)) return deployed;
  const notDeployed = r === null || r.status === 404 || (r.ok && !isFile(r));
  if (!notDeployed) throw new InvalidInputError('policy-unreachable', `Could not read the kiosk policy ${deployed}: HTTP ${r!.status}. The page stays locked until it can.`);
  if (r) remember(storage, NO_POLICY_KEY, deployed);
  const param = new URL(pageUrl).searchParams.get('kiosk');
  if (param === null) {
    const remembered = storage?.getItem(KIOSK_LOCK_KEY);
    return remembered ? sameOriginPolicyUrl(remembered, pageUrl) : null;
  }
  if (param.trim() === '') return ''; // "?kiosk=" with no URL: an error, not the normal page
  const url = sameOriginPolicyUrl(param, pageUrl);
  remember(storage, KIOSK_LOCK_KEY, url);
  return url;
}

function remember(storage: StorageLike | undefined, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // storage disabled: this visit still goes by what it saw
  }
}

async function fetchJsonText(url: string, what: string, fetchImpl: Fetch): Promise<string> {
  let r: Response;
  try {
    r = await fetchImpl(url);
  } catch (e) {
    throw new InvalidInputError('policy-unreachable', `Could not read ${what} ${url}: ${(e as Error).message}.`);
  }
  if (!isFile(r)) {
    throw new InvalidInputError('policy-unreachable', `Could not read ${what} ${url}: ${r.ok ? 'the server sent a web page, not a JSON file' : `HTTP ${r.status}${r.status === 404 ? ' (file not found)' : ''}`}.`);
  }
  return r.text();
}

/** Fetches and validates the policy (and its instruction artifact when given by URL). */
export async function loadPolicy(url: string, manifest: ModelManifest, fetchImpl: Fetch = fetch): Promise<ResolvedPolicy> {
  if (url === '') throw new InvalidInputError('policy-unreachable', 'The page address has "?kiosk=" without the URL of a policy file.');
  const policy = parsePolicy(await fetchJsonText(url, 'the kiosk policy', fetchImpl), url);
  checkPolicyModel(policy, manifest, url);
  let instruction: InstructionArtifact | undefined;
  if (typeof policy.instruction === 'string') {
    const artifactUrl = new URL(policy.instruction, url).href;
    try {
      instruction = parseInstructionArtifact(await fetchJsonText(artifactUrl, 'the instruction artifact', fetchImpl));
    } catch (e) {
      throw new InvalidInputError('policy-invalid', `The kiosk policy ${url} is invalid:\n- instruction: ${(e as Error).message}`);
    }
  } else instruction = policy.instruction;
  if (instruction) checkPolicyInstruction(policy, instruction, url);
  const { instruction: _, ...rest } = policy;
  return deepFreeze({ ...rest, ...(instruction ? { instruction } : {}), source: url });
}

/** Finds the policy and loads it; every failure becomes the error screen (generation stays off). */
export async function detectKiosk(pageUrl: string, appBase: string, manifest: ModelManifest, fetchImpl: Fetch = fetch, storage?: StorageLike): Promise<KioskState> {
  let url: string | null = null;
  try {
    url = await findPolicyUrl(pageUrl, appBase, fetchImpl, storage);
    if (url === null) return { mode: 'normal' };
    return { mode: 'kiosk', policy: await loadPolicy(url, manifest, fetchImpl) };
  } catch (e) {
    const error = asOresError(e, 'policy-invalid');
    return { mode: 'kiosk-error', source: url || new URL(pageUrl).searchParams.get('kiosk') || new URL('policy.json', appBase).href, error };
  }
}

/** A kiosk build's baked-in policy (validated when it was built, checked again here). */
export function bakedKiosk(policyJson: string, manifest: ModelManifest): KioskState {
  try {
    const policy = parsePolicy(policyJson, 'the built-in kiosk policy');
    checkPolicyModel(policy, manifest, 'the built-in kiosk policy');
    if (typeof policy.instruction === 'string') throw new InvalidInputError('policy-invalid', 'The built-in kiosk policy names its instruction by URL; a kiosk build inlines it.');
    const { instruction, ...rest } = policy;
    return { mode: 'kiosk', policy: deepFreeze({ ...rest, ...(instruction ? { instruction } : {}), source: 'built into this kiosk' }) };
  } catch (e) {
    return { mode: 'kiosk-error', source: 'built into this kiosk', error: asOresError(e, 'policy-invalid') };
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
