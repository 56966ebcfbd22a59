// job_runs: one row per scheduled fire, manual run, retry, skip or miss.
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { scheduledJobs } from './scheduled-jobs.ts';

export const RUN_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'skipped',
  'missed',
  'dead',
] as const;
export const RUN_TRIGGERS = ['schedule', 'manual', 'retry', 'catchup'] as const;

export type RunStatus = (typeof RUN_STATUSES)[number];
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export const jobRuns = pgTable(
  'job_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => scheduledJobs.id),
    /** The tick this run belongs to; for manual runs the time it was requested. */
    scheduledFor: timestamp('scheduled_for', { withTimezone: true }).notNull(),
    trigger: varchar('trigger', { length: 16, enum: RUN_TRIGGERS }).notNull(),
    status: varchar('status', { length: 16, enum: RUN_STATUSES }).notNull(),
    attempt: integer('attempt').notNull().default(1),
    retryOf: uuid('retry_of'),
    idempotencyKey: varchar('idempotency_key', { length: 128 }),
    replicaId: varchar('replica_id', { length: 128 }),
    requestedBy: varchar('requested_by', { length: 120 }),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
    notBefore: timestamp('not_before', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
    output: jsonb('output'),
    error: jsonb('error').$type<{ message: string; stack?: string; code?: string }>(),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // Exactly once per scheduled tick: the claim is this insert.
    uniqueIndex('job_runs_schedule_tick_key')
      .on(table.jobId, table.scheduledFor)
      .where(sql`${table.trigger} in ('schedule', 'catchup')`),
    uniqueIndex('job_runs_idempotency_key')
      .on(table.jobId, table.idempotencyKey)
      .where(sql`${table.idempotencyKey} is not null`),
    index('job_runs_job_created_idx').on(table.jobId, table.createdAt.desc()),
    index('job_runs_status_created_idx').on(table.status, table.createdAt.desc()),
    index('job_runs_running_lease_idx').on(table.leaseExpiresAt).where(sql`${table.status} = 'running'`),
    index('job_runs_created_idx').on(table.createdAt.desc()),
    // The dispatcher's pick: queued runs, oldest due first (an index scan instead of sorting every queued row).
    index('job_runs_queued_due_idx')
      .on(sql`coalesce(${table.notBefore}, ${table.createdAt})`, table.createdAt)
      .where(sql`${table.status} = 'queued'`),
  ],
);

export type JobRunRow = typeof jobRuns.$inferSelect;
export type NewJobRunRow = typeof jobRuns.$inferInsert;
