import { describe, expect, it } from 'vitest';
import { AuditLog, AUDIT_KEY, type AuditEntry } from '../../src/core/policy/audit.ts';
import { MemoryStorage } from './helpers/memoryStorage.ts';


const entry = (i: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  time: `2026-12-02T10:00:${String(i).padStart(2, '0')}Z`,
  policyId: 'p-0000abcd',
  method: 'tin',
  guardHits: ['red'],
  rewriteSource: 'fallback',
  switchStep: 3,
  verdict: 'clean',
  retries: 0,
  ...extra,
});

describe('kiosk audit log', () => {
  it('keeps entries across reloads and exports them as JSON Lines', () => {
    const storage = new MemoryStorage();
    new AuditLog(storage).append(entry(1));
    new AuditLog(storage).append(entry(2, { verdict: 'refused', retries: 2, reason: 'the world judge still saw "red"' }));
    const lines = new AuditLog(storage).toJsonLines().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toMatchObject({ verdict: 'refused', retries: 2, policyId: 'p-0000abcd' });
    expect(lines.join('')).not.toContain('prompt'); // no prompt text unless the policy opts in
  });

  it('keeps only the newest entries under its cap', () => {
    const log = new AuditLog(new MemoryStorage(), 5);
    for (let i = 0; i < 12; i++) log.append(entry(i));
    expect(log.entries().map((e) => e.time.slice(-3, -1))).toEqual(['07', '08', '09', '10', '11']);
  });

  it('records which method ran; an entry stored before kiosks could choose one reads as TIN', () => {
    const storage = new MemoryStorage();
    const { method: _, ...older } = entry(1);
    storage.setItem(AUDIT_KEY, JSON.stringify([older]));
    const log = new AuditLog(storage);
    log.append(entry(2, { method: 'tin-mask' }));
    expect(log.entries().map((e) => e.method)).toEqual(['tin', 'tin-mask']);
    expect(() => log.append({ ...entry(3), method: 'negative' as never })).toThrow();
  });

  it('skips malformed stored entries and refuses malformed new ones', () => {
    const storage = new MemoryStorage();
    storage.setItem(AUDIT_KEY, JSON.stringify([{ nope: 1 }, entry(3)]));
    const log = new AuditLog(storage);
    expect(log.entries()).toHaveLength(1);
    expect(() => log.append({ ...entry(4), verdict: 'fine' as never })).toThrow();
    log.clear();
    expect(log.entries()).toEqual([]);
  });
});
