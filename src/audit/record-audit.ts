// Writes one audit_log row. Callers pass before/after views that hold no secrets (no password hashes,
// no tokens); the caller decides what a safe view is.
import type { Context } from 'hono';
import type { SqlExecutor } from '../db/index.ts';
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

export async function recordAudit(db: SqlExecutor, entry: AuditEntry): Promise<void> {
  await db.query(
    `insert into audit_log (actor, action, target_type, target_id, before, after, trace_id, client_ip)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      entry.actor.slice(0, 120),
      entry.action,
      entry.targetType,
      entry.targetId ?? null,
      entry.before === undefined ? null : JSON.stringify(entry.before),
      entry.after === undefined ? null : JSON.stringify(entry.after),
      entry.traceId ?? null,
      entry.clientIp?.slice(0, 64) ?? null,
    ],
  );
}

/** The request's part of an audit row: who (the principal, or the given actor), trace id and client IP. */
export function auditContext(c: Context<AppBindings>, actor?: string) {
  return {
    actor: actor ?? c.var.principal?.subject ?? 'anonymous',
    traceId: c.var.requestId,
    clientIp: clientIp(c),
  };
}
