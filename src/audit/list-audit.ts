// Reads audit_log newest first, a page at a time (the admin audit page).
import { count, desc } from 'drizzle-orm';
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

export async function listAuditEntries(
  db: Drizzle,
  page: number,
  pageSize: number,
): Promise<{ items: AuditEntry[]; total: number }> {
  const [counted] = await db.select({ n: count() }).from(auditLog);
  const rows = await db
    .select()
    .from(auditLog)
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
