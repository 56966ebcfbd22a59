// Statements about scheduled_jobs rows: reading them for the timers, the job lock, status and next_run_at.
import type { SqlExecutor } from '../../db/index.ts';
import type { ScheduledJobRow } from '../../db/schema/index.ts';
import { type EngineJob, iso, JOB_COLUMNS, normaliseJob } from './rows.ts';

export async function selectJob(db: SqlExecutor, jobId: string): Promise<EngineJob | undefined> {
  const [row] = await db.query<EngineJob>(`select ${JOB_COLUMNS} from scheduled_jobs where id = $1`, [jobId]);
  return row && normaliseJob(row);
}

/** Every live job, and the archived ones still armed here (so their timers are dropped). */
export async function selectJobsToArm(db: SqlExecutor, armedIds: string[]): Promise<EngineJob[]> {
  const rows = await db.query<EngineJob>(
    `select ${JOB_COLUMNS} from scheduled_jobs where archived_at is null or id::text = any($1::text[])`,
    [armedIds],
  );
  return rows.map(normaliseJob);
}

/**
 * The job row under its row lock: every decision about a job's runs is taken holding it. `for no key update`
 * (what an UPDATE of non-key columns takes) serialises the engine's decisions just the same, but does not block
 * the foreign-key check of a run being inserted for the job: with `for update`, a catch-up holding the lock and
 * inserting tick T waited on another replica's claim of T, whose key check waited on the lock — a deadlock.
 */
export async function lockJob(tx: SqlExecutor, jobId: string): Promise<EngineJob | undefined> {
  const [row] = await tx.query<EngineJob>(
    `select ${JOB_COLUMNS} from scheduled_jobs where id = $1 for no key update`,
    [jobId],
  );
  return row && normaliseJob(row);
}

export async function markUnregistered(db: SqlExecutor, jobId: string): Promise<void> {
  await db.query(
    `update scheduled_jobs set status = 'unregistered' where id = $1 and status <> 'unregistered'`,
    [jobId],
  );
}

export async function markRegistered(db: SqlExecutor, jobId: string): Promise<void> {
  await db.query(`update scheduled_jobs set status = 'idle' where id = $1 and status = 'unregistered'`, [
    jobId,
  ]);
}

/** Rows written in SQL without next_run_at get their next tick, in one statement. */
export async function fillMissingNextRuns(
  db: SqlExecutor,
  next: { id: string; next: Date }[],
): Promise<void> {
  if (next.length === 0) return;
  await db.query(
    `update scheduled_jobs j set next_run_at = u.next from
       (select unnest($1::text[])::uuid as id, unnest($2::text[])::timestamptz as next) u
     where j.id = u.id and j.next_run_at is null`,
    [next.map((u) => u.id), next.map((u) => u.next.toISOString())],
  );
}

export async function setNextRunAt(tx: SqlExecutor, jobId: string, next: Date | null): Promise<void> {
  await tx.query('update scheduled_jobs set next_run_at = $2 where id = $1', [jobId, iso(next)]);
}

/** Cheap change detector for rows edited directly in SQL (no NOTIFY). */
export async function jobsFingerprint(db: SqlExecutor): Promise<string> {
  const [row] = await db.query<{ fp: string | null }>(
    `select md5(coalesce(string_agg(id::text || ':' || version || ':' || enabled || ':' || cron || ':' || timezone
       || ':' || func || ':' || coalesce(archived_at::text, '') || ':' || updated_at::text, ',' order by id), '')) as fp
     from scheduled_jobs`,
  );
  return row?.fp ?? '';
}

/** Jobs whose next tick is older than the horizon: the catch-up looks at them. */
export async function selectDueJobIds(db: SqlExecutor, funcs: string[], horizon: Date): Promise<string[]> {
  const rows = await db.query<Pick<ScheduledJobRow, 'id'>>(
    `select id from scheduled_jobs
     where enabled and archived_at is null and func = any($1::text[]) and next_run_at <= $2`,
    [funcs, horizon.toISOString()],
  );
  return rows.map((row) => row.id);
}

/** After a run ends: the job shows `running` while another run is, else the final status. */
export async function refreshJobStatus(tx: SqlExecutor, jobId: string, final: string): Promise<void> {
  await tx.query(
    `update scheduled_jobs set status = case
       when status = 'unregistered' then status
       when exists (select 1 from job_runs where job_id = $1 and status = 'running') then 'running'
       else $2 end
     where id = $1`,
    [jobId, final],
  );
}
