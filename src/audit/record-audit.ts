// The one audit writer: every audit_log row goes through recordAudit, with the same length bounds. Pass the
// transaction that makes the change (a drizzle transaction or a raw SQL one), so the change and its audit row
// commit together or not at all. Callers pass before/after views that hold no secrets (no password hashes,
// no tokens).
import type { Context } from 'hono';
import type { Drizzle, SqlExecutor } from '../db/index.ts';
import { auditLog } from '../db/schema/index.ts';
import { clientIp } from '../http/client-ip.ts';
import type { AppBindings } from '../http/types.ts';

/** Who asks: services receive it, handlers build it from the request (actorOf). */
export interface Actor {
  subject: string;
  traceId?: string;
  clientIp?: string;
}

/** What changed: the action, its target and the before/after views. */
export interface AuditChange {
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** The caller as written to audit_log: the principal (or the given subject), trace id and client address. */
export function actorOf(c: Context<AppBindings>, subject?: string): Actor {
  return {
    subject: subject ?? c.var.principal?.subject ?? 'anonymous',
    traceId: c.var.requestId,
    clientIp: clientIp(c),
  };
}

/** The row, bounded to the columns' lengths (a long user name or a forged address never fails the change). */
function auditValues(actor: Actor, change: AuditChange): typeof auditLog.$inferInsert {
  return {
    actor: actor.subject.slice(0, 120),
    action: change.action,
    targetType: change.targetType,
    targetId: change.targetId ?? null,
    before: change.before ?? null,
    after: change.after ?? null,
    traceId: actor.traceId ?? null,
    clientIp: actor.clientIp?.slice(0, 64) ?? null,
  };
}

const isDrizzle = (db: Drizzle | SqlExecutor): db is Drizzle => 'insert' in db;

export async function recordAudit(
  db: Drizzle | SqlExecutor,
  actor: Actor,
  change: AuditChange,
): Promise<void> {
  const row = auditValues(actor, change);
  if (isDrizzle(db)) {
    await db.insert(auditLog).values(row);
    return;
  }
  await db.query(
    `insert into audit_log (actor, action, target_type, target_id, before, after, trace_id, client_ip)
     values ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8)`,
    [
      row.actor,
      row.action,
      row.targetType,
      row.targetId,
      row.before === null ? null : JSON.stringify(row.before),
      row.after === null ? null : JSON.stringify(row.after),
      row.traceId,
      row.clientIp,
    ],
  );
}
