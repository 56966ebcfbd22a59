// Writes one audit_log row. Pass the transaction that makes the change, so the change and its audit row
// commit together or not at all. Callers pass before/after views that hold no secrets (no password
// hashes, no tokens).
import type { Context } from 'hono';
import type { Drizzle, SqlExecutor } from '../db/index.ts';
import { auditLog } from '../db/schema/index.ts';
import { clientIp } from '../http/client-ip.ts';
import type { AppBindings } from '../http/types.ts';

/** Who asks, as services receive it (handlers build it from the request: actorOf). */
export interface Actor {
  subject: string;
  traceId?: string;
  clientIp?: string;
}

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

/** The audit row of a change an actor made, through a raw SQL transaction (see recordAuditSql). */
export function recordActorAudit(
  tx: SqlExecutor,
  actor: Actor,
  change: Omit<AuditEntry, 'actor' | 'traceId' | 'clientIp'>,
): Promise<void> {
  return recordAuditSql(tx, {
    ...change,
    actor: actor.subject,
    traceId: actor.traceId ?? null,
    clientIp: actor.clientIp ?? null,
  });
}

/** The same row through a raw SQL transaction (services that work on SqlExecutor rather than drizzle). */
export async function recordAuditSql(tx: SqlExecutor, entry: AuditEntry): Promise<void> {
  await tx.query(
    `insert into audit_log (actor, action, target_type, target_id, before, after, trace_id, client_ip)
     values ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8)`,
    [
      entry.actor.slice(0, 120),
      entry.action,
      entry.targetType,
      entry.targetId ?? null,
      entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
      entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
      entry.traceId ?? null,
      entry.clientIp?.slice(0, 64) ?? null,
    ],
  );
}
