// audit_log: who changed what and when, with before/after values.
import { bigserial, index, jsonb, pgTable, timestamp, varchar } from 'drizzle-orm/pg-core';

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: varchar('actor', { length: 120 }).notNull(),
    action: varchar('action', { length: 64 }).notNull(),
    targetType: varchar('target_type', { length: 64 }).notNull(),
    targetId: varchar('target_id', { length: 128 }),
    before: jsonb('before'),
    after: jsonb('after'),
    traceId: varchar('trace_id', { length: 128 }),
    clientIp: varchar('client_ip', { length: 64 }),
  },
  (table) => [
    index('audit_log_at_idx').on(table.at.desc()),
    index('audit_log_target_idx').on(table.targetType, table.targetId),
  ],
);

export type AuditLogRow = typeof auditLog.$inferSelect;
