// Statements of a run's life: lease renewal, dispatch of queued runs, and the final row (success or failure).
import type { SqlExecutor } from '../../db/index.ts';
import type { JobRunRow } from '../../db/schema/index.ts';
import type { RunError } from '../bounded.ts';
import {
  type EngineJob,
  type EngineRun,
  JOB_COLUMNS,
  type LockedRun,
  normaliseJob,
  normaliseRun,
  RUN_COLUMNS,
} from './rows.ts';

/** Extends the lease while this replica still owns the run; false when another replica took it over. */
export async function renewLease(
  db: SqlExecutor,
  runId: string,
  replicaId: string,
  leaseInterval: string,
): Promise<boolean> {
  const rows = await db.query(
    `update job_runs set lease_expires_at = now() + $3::interval, heartbeat_at = now()
     where id = $1 and status = 'running' and replica_id = $2 returning id`,
    [runId, replicaId, leaseInterval],
  );
  return rows.length > 0;
}

/** Queued runs due now, oldest first, of live jobs whose function this build has (with the job's overlap policy as read). */
export async function selectDispatchable(
  db: SqlExecutor,
  funcs: string[],
  limit: number,
): Promise<(Pick<JobRunRow, 'id' | 'jobId'> & { overlapPolicy: string })[]> {
  return db.query<Pick<JobRunRow, 'id' | 'jobId'> & { overlapPolicy: string }>(
    `select r.id, r.job_id as "jobId", j.overlap_policy as "overlapPolicy" from job_runs r
       join scheduled_jobs j on j.id = r.job_id
     where r.status = 'queued' and coalesce(r.not_before, r.created_at) <= now()
       and j.archived_at is null and (j.enabled or r.trigger = 'manual') and j.func = any($1::text[])
     order by coalesce(r.not_before, r.created_at), r.created_at
     limit $2`,
    [funcs, limit],
  );
}

/** How a queued run becomes this replica's running run (the columns an UPDATE of job_runs sets). */
const START_RUN = `status = 'running', replica_id = $3, started_at = clock_timestamp(), heartbeat_at = now(),
  lease_expires_at = now() + $4::interval`;

/** In the order they were queued (an UPDATE returns rows in no particular order). */
function inQueueOrder(rows: EngineRun[], runIds: string[]): EngineRun[] {
  const order = new Map(runIds.map((id, index) => [id, index]));
  return rows.map(normaliseRun).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/**
 * Queued runs of one job become this replica's running runs (under the job lock), and the job shows it. Only
 * rows still queued are taken, so a run another replica started meanwhile is never started twice.
 */
export async function startQueuedRuns(
  tx: SqlExecutor,
  jobId: string,
  runIds: string[],
  replicaId: string,
  leaseInterval: string,
): Promise<EngineRun[]> {
  const rows = await tx.query<EngineRun>(
    `with started as (
       update job_runs set ${START_RUN}
       where id = any($2::uuid[]) and job_id = $1 and status = 'queued'
       returning ${RUN_COLUMNS}
     ), job as (
       update scheduled_jobs set status = 'running', last_run_at = now()
       where id = $1 and exists (select 1 from started)
     )
     select * from started`,
    [jobId, runIds, replicaId, leaseInterval],
  );
  return inQueueOrder(rows, runIds);
}

/**
 * startQueuedRuns for an `allow` job in one statement instead of a transaction (an `allow` job's runs depend
 * on no count): the job row is locked for the statement, read under that lock, and runs start only while it
 * is unarchived and still `allow`. Undefined when the job is gone or archived; a job whose policy is no longer
 * `allow` comes back with no runs started (the caller decides it in a transaction).
 */
export async function startAllowedRuns(
  db: SqlExecutor,
  jobId: string,
  runIds: string[],
  replicaId: string,
  leaseInterval: string,
): Promise<{ job: EngineJob; runs: EngineRun[] } | undefined> {
  const rows = await db.query<{ job: EngineJob; run: EngineRun | null }>(
    `with job as (
       select ${JOB_COLUMNS} from scheduled_jobs where id = $1 and archived_at is null for no key update
     ), started as (
       update job_runs set ${START_RUN}
       where id = any($2::uuid[]) and job_id = $1 and status = 'queued'
         and exists (select 1 from job where "overlapPolicy" = 'allow')
       returning ${RUN_COLUMNS}
     ), marked as (
       update scheduled_jobs set status = 'running', last_run_at = now()
       where id = $1 and exists (select 1 from started)
     )
     select to_jsonb(job) as job, to_jsonb(started) as run from job left join started on true`,
    [jobId, runIds, replicaId, leaseInterval],
  );
  if (rows.length === 0) return undefined;
  const job = normaliseJob(rows[0]!.job);
  const runs = rows.flatMap((row) => (row.run ? [row.run] : []));
  return { job, runs: inQueueOrder(runs, runIds) };
}

// ---- settling -------------------------------------------------------------------------------------

/**
 * Successes in one statement: each outcome (only while this replica owns the run) and its job's status. Job
 * rows are locked in id order first, so two batches touching the same jobs never deadlock each other. Returns
 * the ids recorded; a run missing from them was no longer this replica's.
 */
export async function recordSuccesses(
  db: SqlExecutor,
  replicaId: string,
  outcomes: { runId: string; durationMs: number; output: unknown }[],
): Promise<Set<string>> {
  const ids = outcomes.map((outcome) => outcome.runId);
  const rows = await db.query<{ id: string }>(
    `with done as (
       select * from unnest($1::uuid[], $2::int[], $3::text[]) as d(id, duration_ms, output)
     ), jobs as (
       select j.id from scheduled_jobs j
       where j.id in (select r.job_id from job_runs r where r.id = any($1::uuid[]))
       order by j.id for no key update
     ), run as (
       update job_runs r set status = 'succeeded', finished_at = now(), duration_ms = done.duration_ms,
         output = done.output::jsonb, lease_expires_at = null
       from done where r.id = done.id and r.status = 'running' and r.replica_id = $4
       returning r.id, r.job_id
     ), job as (
       update scheduled_jobs j set last_success_at = now(), status = case
           when j.status = 'unregistered' then j.status
           when exists (select 1 from job_runs o where o.job_id = j.id and o.status = 'running'
             and o.id <> all($1::uuid[])) then 'running'
           else 'succeeded' end
       where j.id in (select id from jobs) and j.id in (select job_id from run)
     )
     select id::text from run`,
    [
      ids,
      outcomes.map((outcome) => outcome.durationMs),
      outcomes.map((outcome) => JSON.stringify(outcome.output ?? null)),
      replicaId,
    ],
  );
  return new Set(rows.map((row) => row.id));
}

/**
 * Locks a running run for its failure: `owner` names the replica that ran it, `expired` takes any run whose
 * lease ran out (its replica crashed or was cut off).
 */
export async function lockRunningRun(
  tx: SqlExecutor,
  runId: string,
  by: { owner: string } | { expired: true },
): Promise<LockedRun | undefined> {
  const [row] =
    'owner' in by
      ? await tx.query<LockedRun>(
          `select attempt, scheduled_for as "scheduledFor", trigger, replica_id as "replicaId" from job_runs
           where id = $1 and status = 'running' and replica_id = $2 for update`,
          [runId, by.owner],
        )
      : await tx.query<LockedRun>(
          `select attempt, scheduled_for as "scheduledFor", trigger, replica_id as "replicaId" from job_runs
           where id = $1 and status = 'running' and lease_expires_at < now() for update`,
          [runId],
        );
  return row && normaliseRun(row);
}

export async function queueRetry(
  tx: SqlExecutor,
  retry: {
    jobId: string;
    scheduledFor: Date;
    attempt: number;
    retryOf: string;
    delayMs: number;
    note: string;
  },
): Promise<void> {
  await tx.query(
    `insert into job_runs (job_id, scheduled_for, trigger, status, attempt, retry_of, not_before, note)
     values ($1, $2, 'retry', 'queued', $3, $4, now() + $5::interval, $6)`,
    [
      retry.jobId,
      retry.scheduledFor.toISOString(),
      retry.attempt,
      retry.retryOf,
      `${retry.delayMs} milliseconds`,
      retry.note,
    ],
  );
}

/**
 * The failed run's final row. Without a measured duration (an expired lease) it is counted from started_at;
 * without output the stored output is kept.
 */
export async function recordFailure(
  tx: SqlExecutor,
  failure: {
    runId: string;
    final: string;
    durationMs: number | null;
    output: unknown;
    error: RunError | null;
  },
): Promise<void> {
  await tx.query(
    `update job_runs set status = $2, finished_at = now(), lease_expires_at = null, error = $5::jsonb,
       duration_ms = coalesce($3::int, (extract(epoch from (now() - started_at)) * 1000)::int),
       output = coalesce($4::jsonb, output)
     where id = $1`,
    [
      failure.runId,
      failure.final,
      failure.durationMs,
      failure.output === undefined ? null : JSON.stringify(failure.output),
      failure.error ? JSON.stringify(failure.error) : null,
    ],
  );
}
