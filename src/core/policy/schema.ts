/**
 * The kiosk policy: what an administrator locks for every visitor of a kiosk page.
 *
 *   {
 *     "format": "ores-policy", "version": 1,            (both optional)
 *     "title": "Museum kiosk",                            (optional, shown in the header)
 *     "bannedConcepts": ["red", "dog"],                   (at least one)
 *     "instruction": { ...an ores-instruction artifact } | "artifact.json",   (optional; a URL is resolved against the policy's URL)
 *     "model": "ores-tiny-world",                         (optional diffusion model id from the manifest)
 *     "llmModel": "Llama-3.2-1B-Instruct-q4f32_1-MLC",    (optional WebLLM model id for the rewrite)
 *     "switchFraction": 0.15,                             (optional S/T, at most 0.5; default: the model's)
 *     "method": "tin",                                    (optional: "tin" (default) or "tin-mask": u' only where u and u' disagree,
 *                                                          when the compiled policy allows it (no layout concept); else TIN)
 *     "verification": "required",                         (optional: "required" (default) or "off")
 *     "maxRetries": 2,                                    (optional regenerations when the judge sees a concept, 0-5)
 *     "auditPrompts": false                               (optional: keep visitors' prompts in the audit log; default false)
 *   }
 *
 * Pure: zod validation with messages that name the bad field, no fetching (the app does that).
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.ts';
import type { ModelManifest } from '../manifest.ts';
import { InstructionArtifactSchema, type InstructionArtifact } from '../rewrite/artifact.ts';
import { phraseKey } from '../guard/normalize.ts';

export const POLICY_FORMAT = 'ores-policy';
export const POLICY_VERSION = 1;

const concept = z
  .string()
  .trim()
  .min(1, 'a banned concept is empty')
  .max(100, 'a banned concept is longer than 100 characters')
  .refine((c) => phraseKey(c).length > 0, 'a banned concept has no letters or digits');

/** Above this S/T the rewrite conditions too few late steps to remove a concept. */
export const MAX_KIOSK_SWITCH_FRACTION = 0.5;

export const PolicySchema = z.strictObject({
  format: z.literal(POLICY_FORMAT).optional(),
  version: z.literal(POLICY_VERSION).optional(),
  title: z.string().trim().min(1).max(120).optional(),
  bannedConcepts: z.array(concept).min(1, 'the policy must ban at least one concept').max(50, 'at most 50 banned concepts'),
  instruction: z.union([InstructionArtifactSchema, z.string().trim().min(1, 'the instruction URL is empty')]).optional(),
  model: z.string().min(1).optional(),
  llmModel: z.string().min(1).optional(),
  switchFraction: z
    .number()
    .min(0, 'must be between 0 and 0.5')
    .max(MAX_KIOSK_SWITCH_FRACTION, `must be at most ${MAX_KIOSK_SWITCH_FRACTION}: after half the steps on the user's prompt the picture is already drawn, and the rewrite would have nothing left to change`)
    .optional(),
  /**
   * The protected run's method. "tin-mask" keeps the user's picture outside the concept, but a layout
   * concept (a background, a count) is the whole picture: such a policy runs TIN and the card says why.
   */
  method: z.enum(['tin', 'tin-mask']).default('tin'),
  /** "required": every image is judged before it is shown; a model without a judge for the concepts refuses to start. */
  verification: z.enum(['required', 'off']).default('required'),
  maxRetries: z.number().int().min(0).max(5).default(2),
  /** Keep the visitors' prompts in the audit log (off by default: the log records what happened, not what was typed). */
  auditPrompts: z.boolean().default(false),
});

export type Policy = z.infer<typeof PolicySchema>;

/** A policy whose instruction (if any) has been fetched and checked. */
export interface ResolvedPolicy extends Omit<Policy, 'instruction'> {
  readonly instruction?: InstructionArtifact;
  /** Where the policy came from (URL), for the read-only view. */
  readonly source: string;
}

const describePath = (path: readonly PropertyKey[]): string => (path.length === 0 ? '(the whole file)' : path.map(String).join('.'));

/**
 * Validates a policy (the parsed value or its JSON text). Throws InvalidInputError('policy-invalid')
 * listing every problem with the field it concerns, so the kiosk's administrator can fix the file.
 */
export function parsePolicy(input: unknown, source = 'policy.json'): Policy {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new InvalidInputError('policy-invalid', `The kiosk policy ${source} is not valid JSON: ${(e as Error).message}.`);
    }
  }
  const r = PolicySchema.safeParse(value);
  if (!r.success) {
    const problems = r.error.issues.map((i) => {
      // A union (artifact or URL) reports both sides; name the artifact's field when it was an object.
      if (i.code === 'invalid_union' && i.path[0] === 'instruction') {
        const inner = i.errors.flat()[0];
        const path = [...i.path, ...(inner?.path ?? [])];
        return `${describePath(path)}: ${typeof (value as { instruction?: unknown })?.instruction === 'object' ? (inner?.message ?? i.message) : 'must be an ores-instruction artifact or a URL string'}`;
      }
      return `${describePath(i.path)}: ${i.message}`;
    });
    throw new InvalidInputError('policy-invalid', `The kiosk policy ${source} is invalid:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  }
  const seen = new Set<string>();
  for (const c of r.data.bannedConcepts) {
    const key = phraseKey(c);
    if (seen.has(key)) throw new InvalidInputError('policy-invalid', `The kiosk policy ${source} is invalid:\n- bannedConcepts: "${c}" is listed twice`);
    seen.add(key);
  }
  return r.data;
}

/** Checks the policy's model against the manifest (the kiosk must not silently run another model). */
export function checkPolicyModel(policy: Pick<Policy, 'model'>, manifest: ModelManifest, source = 'policy.json'): void {
  if (policy.model !== undefined && !manifest.models.some((m) => m.id === policy.model)) {
    throw new InvalidInputError(
      'policy-invalid',
      `The kiosk policy ${source} is invalid:\n- model: "${policy.model}" is not in the models manifest (known: ${manifest.models.map((m) => m.id).join(', ')})`,
    );
  }
}

/** The instruction artifact must be for the policy's LLM when both are given. */
export function checkPolicyInstruction(policy: Pick<Policy, 'llmModel'>, artifact: InstructionArtifact, source = 'policy.json'): void {
  if (policy.llmModel !== undefined && artifact.modelId !== policy.llmModel) {
    throw new InvalidInputError(
      'policy-invalid',
      `The kiosk policy ${source} is invalid:\n- instruction: it was learned for "${artifact.modelId}" but llmModel is "${policy.llmModel}"`,
    );
  }
}
