/**
 * A kiosk's audit log: one entry per generation (time, policy id, method, guard hits, rewrite source, S,
 * the verification verdict, retries or refusal), kept locally with a size cap and exported as JSON
 * Lines for the operator. No prompt text unless the policy opts in (`auditPrompts`).
 */
import { z } from 'zod';

export const AuditEntrySchema = z.strictObject({
  time: z.string(),
  policyId: z.string(),
  /**
   * The policy run's method: TIN, or TIN + MASK where the policy chose it and the mask can keep it.
   * A regeneration (retries) is TIN from step 0 either way. Entries from before kiosks could choose were TIN.
   */
  method: z.enum(['tin', 'tin-mask']).default('tin'),
  /** The banned concepts the guard found in the visitor's prompt (concept names, not the words). */
  guardHits: z.array(z.string()),
  rewriteSource: z.enum(['llm', 'fallback', 'none', 'failed']),
  switchStep: z.number().int().min(0),
  verdict: z.enum(['clean', 'unchecked', 'refused', 'error', 'cancelled']),
  retries: z.number().int().min(0),
  /** Why it was refused or failed. */
  reason: z.string().optional(),
  /** Only when the policy opts in. */
  prompt: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const AUDIT_KEY = 'ores.audit.v1';
/** The newest entries kept (about 300 bytes each: well inside a browser's localStorage). */
export const AUDIT_MAX_ENTRIES = 2000;

export class AuditLog {
  constructor(
    private readonly storage: StorageLike | undefined,
    private readonly maxEntries = AUDIT_MAX_ENTRIES,
  ) {}

  entries(): AuditEntry[] {
    try {
      const raw = JSON.parse(this.storage?.getItem(AUDIT_KEY) ?? '[]') as unknown[];
      return raw.flatMap((e) => {
        const r = AuditEntrySchema.safeParse(e);
        return r.success ? [r.data] : [];
      });
    } catch {
      return [];
    }
  }

  append(entry: AuditEntry): void {
    const all = [...this.entries(), AuditEntrySchema.parse(entry)].slice(-this.maxEntries);
    try {
      this.storage?.setItem(AUDIT_KEY, JSON.stringify(all));
    } catch {
      // full: keep the newer half rather than stop logging
      this.storage?.setItem(AUDIT_KEY, JSON.stringify(all.slice(-Math.floor(all.length / 2))));
    }
  }

  toJsonLines(): string {
    return this.entries().map((e) => JSON.stringify(e) + '\n').join('');
  }

  clear(): void {
    this.storage?.removeItem(AUDIT_KEY);
  }
}
