// Writes one audit_log row. Pass the transaction that makes the change, so the change and its audit row
// commit together or not at all. Callers pass before/after views that hold no secrets (no password
// hashes, no tokens).
import type { Context } from 'hono';
import type { Drizzle } from '../db/index.ts';
import { auditLog } from '../db/schema/index.ts';
import { clientIp } from '../http/client-ip.ts';
import type { AppBindings } from '../http/types.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  traceId?: string | null;
  clientIp?: string | null;
}

export async function recordAudit(db: Drizzle, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actor: entry.actor.slice(0, 120),
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    traceId: entry.traceId ?? null,
    clientIp: entry.clientIp?.slice(0, 64) ?? null,
  });
}

/** The request's part of an audit row: who (the principal, or the given actor), trace id and client IP. */
export function auditContext(c: Context<AppBindings>, actor?: string) {
  return {
    actor: actor ?? c.var.principal?.subject ?? 'anonymous',
    traceId: c.var.requestId,
    clientIp: clientIp(c),
  };
}
