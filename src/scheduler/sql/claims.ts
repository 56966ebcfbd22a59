// The claim's statements: the batched tick insert, the overlap counts, and the winner's decision.
import type { SqlExecutor } from '../../db/index.ts';
import type { JobRunRow, RunStatus } from '../../db/schema/index.ts';
import { asDate, type ClaimRow, iso } from './rows.ts';

/**
 * Inserts one `running` row per (job, tick) of active jobs; the unique (job_id, scheduled_for) index picks
 * the winner and losers get no row. One statement for all ticks firing together on this replica.
 */
export async function insertClaims(
  db: SqlExecutor,
  claims: { jobId: string; tick: Date }[],
  replicaId: string,
  leaseInterval: string,
): Promise<ClaimRow[]> {
  const rows = await db.query<{
    jobId: string;
    tick: string;
    active: boolean;
    runId: string | null;
    scheduledFor: Date | null;
    trigger: JobRunRow['trigger'] | null;
    attempt: number | null;
  }>(
    `with req as (
       select * from unnest($1::text[], $2::text[]) as r(job_id, tick)
     ), job as (
       select j.id, r.tick, (j.enabled and j.archived_at is null) as active
       from req r join scheduled_jobs j on j.id::text = r.job_id
     ), claimed as (
       insert into job_runs (job_id, scheduled_for, trigger, status, attempt, replica_id, started_at,
         heartbeat_at, lease_expires_at)
       select id, tick::timestamptz, 'schedule', 'running', 1, $3, clock_timestamp(), now(), now() + $4::interval
       from job where active
       -- One order on every replica: two batches inserting the same ticks in different orders would deadlock.
       order by id, tick
       on conflict (job_id, scheduled_for) where trigger in ('schedule', 'catchup') do nothing
       returning id, job_id, scheduled_for, trigger, status, attempt
     )
     select job.id::text as "jobId", job.tick, job.active, claimed.id as "runId",
       claimed.scheduled_for as "scheduledFor", claimed.trigger, claimed.attempt
     from job left join claimed on claimed.job_id = job.id and claimed.scheduled_for = job.tick::timestamptz`,
    [
      claims.map((claim) => claim.jobId),
      claims.map((claim) => claim.tick.toISOString()),
      replicaId,
      leaseInterval,
    ],
  );
  return rows.map((row) => ({
    jobId: row.jobId,
    tick: row.tick,
    active: row.active,
    run: row.runId
      ? {
          id: row.runId,
          jobId: row.jobId,
          scheduledFor: asDate(row.scheduledFor)!,
          trigger: row.trigger ?? 'schedule',
          status: 'running',
          attempt: row.attempt ?? 1,
        }
      : null,
  }));
}

/** A claim row that turned out not to be a tick of the job (any more): it never was a run. */
export async function withdrawClaim(tx: SqlExecutor, runId: string): Promise<void> {
  await tx.query('delete from job_runs where id = $1', [runId]);
}

/** Running and queued runs of a job (other than `exceptRunId`): what the overlap policy decides from. */
export async function countActiveRuns(
  tx: SqlExecutor,
  jobId: string,
  exceptRunId: string | null = null,
): Promise<{ running: number; queued: number }> {
  const [counts] = await tx.query<{ running: number; queued: number }>(
    `select count(*) filter (where status = 'running')::int as running,
            count(*) filter (where status = 'queued')::int as queued
     from job_runs where job_id = $1 and status in ('running', 'queued') and ($2::uuid is null or id <> $2::uuid)`,
    [jobId, exceptRunId],
  );
  return counts ?? { running: 0, queued: 0 };
}

/** How many of these ticks already have a scheduled or catch-up row. */
export async function countRecordedTicks(tx: SqlExecutor, jobId: string, ticks: Date[]): Promise<number> {
  const [row] = await tx.query<{ n: number }>(
    `select count(*)::int as n from job_runs
     where job_id = $1 and trigger in ('schedule', 'catchup') and scheduled_for = any($2::text[]::timestamptz[])`,
    [jobId, ticks.map((tick) => tick.toISOString())],
  );
  return row?.n ?? 0;
}

/** The winner's decision: the claim row becomes running, queued or skipped, and the job row follows. */
export async function applyClaimDecision(
  tx: SqlExecutor,
  decision: {
    jobId: string;
    runId: string;
    status: Extract<RunStatus, 'running' | 'queued' | 'skipped'>;
    /** next_run_at moves to `next` only when every earlier tick has a row. */
    advance: boolean;
    next: Date | null;
    overlapPolicy: string;
  },
): Promise<void> {
  await tx.query(
    `with run as (
       update job_runs set
         status = $3::text,
         started_at = case when $3::text = 'running' then started_at end,
         lease_expires_at = case when $3::text = 'running' then lease_expires_at end,
         heartbeat_at = case when $3::text = 'running' then heartbeat_at end,
         replica_id = case when $3::text = 'queued' then null else replica_id end,
         not_before = case when $3::text = 'queued' then now() end,
         finished_at = case when $3::text = 'skipped' then now() end,
         note = case when $3::text = 'skipped'
           then 'overlap policy ' || $6::text || ': a previous run was still running' end
       where id = $2 returning id
     )
     update scheduled_jobs set
       next_run_at = case when $4::boolean then $5::timestamptz else next_run_at end,
       status = case when $3::text = 'running' and status <> 'unregistered' then 'running' else status end,
       last_run_at = case when $3::text = 'running' then now() else last_run_at end
     where id = $1 and exists (select 1 from run)`,
    [
      decision.jobId,
      decision.runId,
      decision.status,
      decision.advance,
      iso(decision.next),
      decision.overlapPolicy,
    ],
  );
}
