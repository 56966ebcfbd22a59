// scheduled_jobs: the seed's columns plus what the scheduler engine needs.
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

export const OVERLAP_POLICIES = ['skip', 'allow', 'queue_one'] as const;
export const MISFIRE_POLICIES = ['skip', 'run_once', 'run_all'] as const;

/**
 * Bounds of a job's own run-history retention (the check constraints, the API schema and the admin form all
 * read these): at most 100,000 runs kept, at most ten years.
 */
export const RETENTION_LIMITS = {
  maxRuns: { min: 1, max: 100_000 },
  maxAgeDays: { min: 1, max: 3650 },
} as const;

export const scheduledJobs = pgTable(
  'scheduled_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: varchar('name', { length: 120 }).notNull().unique('scheduled_jobs_name_key'),
    description: text('description').notNull().default(''),
    func: varchar('func', { length: 200 }).notNull(),
    cron: varchar('cron', { length: 64 }).notNull(),
    timezone: varchar('timezone', { length: 64 }).notNull().default('UTC'),
    args: jsonb('args').$type<unknown[]>().notNull().default(sql`'[]'::jsonb`),
    kwargs: jsonb('kwargs').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    enabled: boolean('enabled').notNull().default(true),
    timeoutSeconds: integer('timeout_seconds').notNull().default(300),
    maxRetries: integer('max_retries').notNull().default(0),
    retryBackoffSeconds: integer('retry_backoff_seconds').notNull().default(30),
    overlapPolicy: varchar('overlap_policy', { length: 16, enum: OVERLAP_POLICIES })
      .notNull()
      .default('skip'),
    misfirePolicy: varchar('misfire_policy', { length: 16, enum: MISFIRE_POLICIES })
      .notNull()
      .default('run_once'),
    misfireGraceSeconds: integer('misfire_grace_seconds').notNull().default(60),
    misfireMaxCatchup: integer('misfire_max_catchup').notNull().default(10),
    /** This job's own run-history limits; null: the global prune_runs policy decides. */
    retentionMaxRuns: integer('retention_max_runs'),
    retentionMaxAgeDays: integer('retention_max_age_days'),
    lastRunAt: timestamp('last_run_at', { withTimezone: true }),
    /** When a run last succeeded: the overdue check measures from here (or from updated_at). */
    lastSuccessAt: timestamp('last_success_at', { withTimezone: true }),
    nextRunAt: timestamp('next_run_at', { withTimezone: true }),
    status: varchar('status', { length: 32 }).notNull().default('idle'),
    version: integer('version').notNull().default(1),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdBy: varchar('created_by', { length: 120 }),
    updatedBy: varchar('updated_by', { length: 120 }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('scheduled_jobs_enabled_idx').on(table.enabled).where(sql`${table.archivedAt} is null`),
    index('scheduled_jobs_func_idx').on(table.func),
    index('scheduled_jobs_updated_at_idx').on(table.updatedAt),
    // The list's other filter and sort keys (GET /jobs?status=…&sort=…), so a page of many jobs is an index
    // walk rather than a sort of the whole table.
    index('scheduled_jobs_status_idx').on(table.status),
    index('scheduled_jobs_created_at_idx').on(table.createdAt),
    index('scheduled_jobs_next_run_at_idx').on(table.nextRunAt),
    index('scheduled_jobs_last_run_at_idx').on(table.lastRunAt),
    check('scheduled_jobs_timeout_positive', sql`${table.timeoutSeconds} > 0`),
    check('scheduled_jobs_retries_range', sql`${table.maxRetries} between 0 and 100`),
    check(
      'scheduled_jobs_retention_max_runs_range',
      sql`${table.retentionMaxRuns} between ${sql.raw(String(RETENTION_LIMITS.maxRuns.min))} and ${sql.raw(String(RETENTION_LIMITS.maxRuns.max))}`,
    ),
    check(
      'scheduled_jobs_retention_max_age_days_range',
      sql`${table.retentionMaxAgeDays} between ${sql.raw(String(RETENTION_LIMITS.maxAgeDays.min))} and ${sql.raw(String(RETENTION_LIMITS.maxAgeDays.max))}`,
    ),
  ],
);

export type ScheduledJobRow = typeof scheduledJobs.$inferSelect;
export type NewScheduledJobRow = typeof scheduledJobs.$inferInsert;
