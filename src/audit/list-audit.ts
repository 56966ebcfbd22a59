// Reads audit_log newest first, a page at a time, filtered by actor, action, target and time (the admin audit
// page and GET /api/v1/audit).
import { and, count, desc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { Drizzle } from '../db/index.ts';
import { auditLog } from '../db/schema/index.ts';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before: unknown;
  after: unknown;
  trace_id: string | null;
}

export interface AuditListFilters {
  actor?: string | undefined;
  /** An action, or a kind of actions with a trailing dot (`job.`). */
  action?: string | undefined;
  target_type?: string | undefined;
  target_id?: string | undefined;
  /** ISO times: at or after `from`, before `to`. */
  from?: string | undefined;
  to?: string | undefined;
}

function auditWhere(filters: AuditListFilters): SQL | undefined {
  const conditions: SQL[] = [];
  if (filters.actor) conditions.push(sql`lower(${auditLog.actor}) = lower(${filters.actor})`);
  if (filters.action?.endsWith('.')) {
    const prefix = filters.action.replace(/[\\%_]/g, (ch) => `\\${ch}`);
    conditions.push(sql`${auditLog.action} like ${`${prefix}%`}`);
  } else if (filters.action) conditions.push(eq(auditLog.action, filters.action));
  if (filters.target_type) conditions.push(eq(auditLog.targetType, filters.target_type));
  if (filters.target_id) conditions.push(eq(auditLog.targetId, filters.target_id));
  if (filters.from) conditions.push(gte(auditLog.at, new Date(filters.from)));
  if (filters.to) conditions.push(lt(auditLog.at, new Date(filters.to)));
  return conditions.length ? and(...conditions) : undefined;
}

export async function listAuditEntries(
  db: Drizzle,
  page: number,
  pageSize: number,
  filters: AuditListFilters = {},
): Promise<{ items: AuditEntry[]; total: number }> {
  const where = auditWhere(filters);
  const [counted] = await db.select({ n: count() }).from(auditLog).where(where);
  const rows = await db
    .select()
    .from(auditLog)
    .where(where)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  return {
    total: counted?.n ?? 0,
    items: rows.map((row) => ({
      id: row.id,
      at: row.at.toISOString(),
      actor: row.actor,
      action: row.action,
      target_type: row.targetType,
      target_id: row.targetId,
      before: row.before,
      after: row.after,
      trace_id: row.traceId,
    })),
  };
}
