// A PGlite app DB, a registry with controllable test functions and a scheduler on top, for engine tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from '@hono/zod-openapi';
import { parseConfig } from '../../src/config/index.ts';
import type { SqlClient } from '../../src/db/client.ts';
import { MIGRATIONS_TABLE } from '../../src/db/migrate.ts';
import { createLocalFileStore } from '../../src/features/files/file-store.ts';
import { BUILTIN_JOBS } from '../../src/job-functions/builtin/index.ts';
import { createJobRegistry } from '../../src/job-functions/registry.ts';
import { defineJob, type JobFunction } from '../../src/job-functions/types.ts';
import { createMemoryStore } from '../../src/kv/memory.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createScheduler, type SchedulerOptions } from '../../src/scheduler/index.ts';
import { createSecretBox } from '../../src/secrets/secret-box.ts';
import { openMigratedPglite } from './real-servers.ts';
import { until } from './time-scale.ts';

/** A gate a test opens when it wants the `test.jobs:gate` runs to finish. */
export function createGate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened, started: 0 };
}

export function testFunctions(gate: ReturnType<typeof createGate>): JobFunction[] {
  return [
    defineJob({
      key: 'test.jobs:ok',
      description: 'returns its args',
      argsSchema: z.object({ value: z.number().default(1) }).strict(),
      run: async (ctx, args) => ({ value: args.value, attempt: ctx.attempt }),
    }),
    defineJob({
      key: 'test.jobs:fail',
      description: 'fails the first `failures` attempts',
      argsSchema: z.object({ failures: z.number().default(1000) }).strict(),
      run: async (ctx, args) => {
        if (ctx.attempt <= args.failures) throw new Error(`failure on attempt ${ctx.attempt}`);
        return { recovered_on: ctx.attempt };
      },
    }),
    defineJob({
      key: 'test.jobs:gate',
      description: 'waits until the test opens the gate',
      argsSchema: z.object({}).strict(),
      run: async () => {
        gate.started++;
        await gate.opened;
        return { gate: 'passed' };
      },
    }),
    defineJob({
      key: 'test.jobs:hang',
      description: 'never finishes and ignores its signal',
      argsSchema: z.object({}).strict(),
      run: () => new Promise(() => {}),
    }),
  ] as JobFunction[];
}

export const silentLogger = () => createLogger({ level: 'silent' });

/** An in-memory PGlite with the app migrations applied (loaded from the run's migrated template). */
export function createMigratedPglite(): Promise<SqlClient> {
  return openMigratedPglite('memory');
}

/**
 * Empties every table of a migrated app database but the migrations' own, restarting identities, so that
 * one database serves a whole file and each test still starts from what a freshly migrated one holds (the
 * migrations insert no rows). Opening a PGlite costs seconds on a busy machine; this costs milliseconds.
 */
export async function emptyAppTables(db: SqlClient): Promise<void> {
  const tables = await db.query<{ name: string }>(
    `select format('%I.%I', schemaname, tablename) as name from pg_tables
     where schemaname not in ('pg_catalog', 'information_schema') and tablename <> $1`,
    [MIGRATIONS_TABLE],
  );
  if (tables.length === 0) throw new Error('emptyAppTables: no app tables (is the database migrated?)');
  await db.query(`truncate ${tables.map((table) => table.name).join(', ')} restart identity cascade`);
}

export function testConfig(overrides: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sched-test-'));
  return parseConfig({ APP_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...overrides }).config;
}

export async function createTestScheduler(
  db: SqlClient,
  options: Partial<SchedulerOptions> & { functions?: JobFunction[] } = {},
) {
  const config = options.config ?? testConfig();
  const registry = createJobRegistry([...BUILTIN_JOBS, ...(options.functions ?? [])]);
  const scheduler = createScheduler({
    db,
    legacyDb: undefined,
    kv: createMemoryStore(),
    files: createLocalFileStore(config.files.baseDir),
    config,
    logger: silentLogger(),
    registry,
    replicaId: 'replica-a',
    secrets: createSecretBox(config.encryption),
    leaseMs: 30_000,
    heartbeatMs: 10_000,
    pollMs: 60_000,
    ...options,
  });
  return { scheduler, registry, config };
}

export interface TestJobInput {
  name?: string;
  func?: string;
  cron?: string;
  timezone?: string;
  kwargs?: Record<string, unknown>;
  enabled?: boolean;
  overlap?: 'skip' | 'allow' | 'queue_one';
  misfire?: 'skip' | 'run_once' | 'run_all';
  graceSeconds?: number;
  maxCatchup?: number;
  maxRetries?: number;
  backoffSeconds?: number;
  timeoutSeconds?: number;
  nextRunAt?: Date | null;
}

let jobCounter = 0;
export async function insertJob(db: SqlClient, input: TestJobInput = {}): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `insert into scheduled_jobs (name, func, cron, timezone, kwargs, enabled, overlap_policy, misfire_policy,
       misfire_grace_seconds, misfire_max_catchup, max_retries, retry_backoff_seconds, timeout_seconds, next_run_at)
     values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning id`,
    [
      input.name ?? `job-${++jobCounter}-${Math.random().toString(36).slice(2, 8)}`,
      input.func ?? 'test.jobs:ok',
      input.cron ?? '* * * * *',
      input.timezone ?? 'UTC',
      JSON.stringify(input.kwargs ?? {}),
      input.enabled ?? true,
      input.overlap ?? 'skip',
      input.misfire ?? 'run_once',
      input.graceSeconds ?? 0,
      input.maxCatchup ?? 10,
      input.maxRetries ?? 0,
      input.backoffSeconds ?? 0,
      input.timeoutSeconds ?? 300,
      input.nextRunAt === undefined ? null : input.nextRunAt?.toISOString(),
    ],
  );
  return row!.id;
}

export async function runsOf(db: SqlClient, jobId: string) {
  return db.query<{
    id: string;
    scheduled_for: Date;
    trigger: string;
    status: string;
    attempt: number;
    retry_of: string | null;
    replica_id: string | null;
    output: unknown;
    error: { message: string; code?: string } | null;
    note: string | null;
  }>(
    `select id, scheduled_for, trigger, status, attempt, retry_of, replica_id, output, error, note
     from job_runs where job_id = $1 order by scheduled_for, attempt, created_at`,
    [jobId],
  );
}

/**
 * Waits for a condition that the code under test makes true (no wall-clock assertion). limitMs is a
 * ceiling, scaled by TEST_TIME_SCALE; an error thrown by the check fails at once.
 */
export function eventually<T>(check: () => Promise<T | undefined | false>, limitMs = 15_000): Promise<T> {
  return until(check, { timeoutMs: limitMs, retryErrors: false });
}

/** Queues `n` manual runs of a job, due now, one second of scheduled_for apart; returns their ids in order. */
export async function queueManualRuns(db: SqlClient, jobId: string, n: number): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `insert into job_runs (job_id, scheduled_for, trigger, status, not_before)
     select $1, now() + make_interval(secs => g), 'manual', 'queued', now() from generate_series(1, $2) g
     returning id::text`,
    [jobId, n],
  );
  return rows.map((row) => row.id);
}
