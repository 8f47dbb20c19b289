/**
 * Kiosk mode: finds and loads the policy that locks the page.
 *
 * Where the policy comes from, first match wins:
 *   1. `policy.json` served next to the app (public/policy.json): the deployment's own policy.
 *      When it exists, a `?kiosk=` parameter cannot replace it (a visitor editing the address
 *      bar must not be able to load a looser policy).
 *   2. `?kiosk=<URL of a policy.json>` (relative URLs resolve against the page).
 * No policy: the normal, editable page.
 */
import { InvalidInputError, OresError } from '../../core/errors.ts';
import type { ModelManifest } from '../../core/manifest.ts';
import { checkPolicyInstruction, checkPolicyModel, parsePolicy, type ResolvedPolicy } from '../../core/policy/schema.ts';
import { parseInstructionArtifact, type InstructionArtifact } from '../../core/rewrite/artifact.ts';

export type KioskState =
  | { mode: 'normal' }
  | { mode: 'kiosk'; policy: ResolvedPolicy }
  | { mode: 'kiosk-error'; source: string; error: OresError };

type Fetch = (url: string) => Promise<Response>;

/** True when the response is a JSON file rather than the dev server's index.html fallback. */
function isFile(response: Response): boolean {
  return response.ok && !(response.headers.get('content-type') ?? '').includes('text/html');
}

/** The policy URL for this page, or null (normal mode). */
export async function findPolicyUrl(pageUrl: string, appBase: string, fetchImpl: Fetch = fetch): Promise<string | null> {
  const deployed = new URL('policy.json', appBase).href;
  try {
    const r = await fetchImpl(deployed);
    if (isFile(r)) return deployed;
  } catch {
    // no deployed policy
  }
  const param = new URL(pageUrl).searchParams.get('kiosk');
  if (param === null) return null;
  if (param.trim() === '') return ''; // "?kiosk=" with no URL: an error, not the normal page
  return new URL(param, pageUrl).href;
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
export async function detectKiosk(pageUrl: string, appBase: string, manifest: ModelManifest, fetchImpl: Fetch = fetch): Promise<KioskState> {
  const url = await findPolicyUrl(pageUrl, appBase, fetchImpl);
  if (url === null) return { mode: 'normal' };
  try {
    return { mode: 'kiosk', policy: await loadPolicy(url, manifest, fetchImpl) };
  } catch (e) {
    const error = e instanceof OresError ? e : new OresError('policy-invalid', (e as Error).message);
    return { mode: 'kiosk-error', source: url || '(none)', error };
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
