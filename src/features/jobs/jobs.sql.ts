// Every statement of the jobs service, one named function each, returning rows typed from db/schema
// (columns aliased to the schema's property names, timestamps read as Date). They stay SQL because the list
// needs a lateral join and one round trip for its total, and mutations lock the job row and NOTIFY in the
// same transaction as their change.
import type { SqlExecutor } from '../../db/index.ts';
import { countedPage, pageWindow } from '../../db/pagination.ts';
import {
  type JobRunRow,
  jobRuns,
  type RunStatus,
  type RunTrigger,
  type ScheduledJobRow,
  scheduledJobs,
} from '../../db/schema/index.ts';
import { columnsOf, timestampReader } from '../../db/typed-sql.ts';
import type { WhereBuilder } from '../../db/where.ts';
import { SCHEDULER_CHANNEL } from '../../scheduler/types.ts';

export type JobRow = ScheduledJobRow;

/** The most recent run of a job, flattened beside the job's columns (null when it never ran). */
export type LastRunColumns = {
  lastRunId: string | null;
  lastRunStatus: RunStatus | null;
  lastRunTrigger: RunTrigger | null;
  lastRunScheduledFor: Date | null;
  lastRunStartedAt: Date | null;
  lastRunFinishedAt: Date | null;
  lastRunDurationMs: number | null;
};

export type JobWithLastRunRow = JobRow & LastRunColumns;

/** A run as the API shows it: its columns and its job's name. */
export type RunRow = JobRunRow & { jobName: string | null };

/** The job settings a create or an update writes. */
export type JobValues = Pick<
  JobRow,
  | 'name'
  | 'description'
  | 'func'
  | 'cron'
  | 'timezone'
  | 'args'
  | 'kwargs'
  | 'enabled'
  | 'timeoutSeconds'
  | 'maxRetries'
  | 'retryBackoffSeconds'
  | 'overlapPolicy'
  | 'misfirePolicy'
  | 'misfireGraceSeconds'
  | 'misfireMaxCatchup'
  | 'retentionMaxRuns'
  | 'retentionMaxAgeDays'
>;

const JOB = columnsOf(scheduledJobs);
const readJob = timestampReader(
  scheduledJobs,
  'lastRunScheduledFor',
  'lastRunStartedAt',
  'lastRunFinishedAt',
);
const readRun = timestampReader(jobRuns);

/** Jobs with their most recent run, in one statement (one index probe per job on job_runs_job_created_idx). */
const jobsWithLastRun = (extra = '') => `select ${columnsOf(scheduledJobs, 'j')}, lr.id as "lastRunId",
    lr.status as "lastRunStatus", lr.trigger as "lastRunTrigger", lr.scheduled_for as "lastRunScheduledFor",
    lr.started_at as "lastRunStartedAt", lr.finished_at as "lastRunFinishedAt",
    lr.duration_ms as "lastRunDurationMs"${extra}
  from scheduled_jobs j
  left join lateral (
    select id, status, trigger, scheduled_for, started_at, finished_at, duration_ms from job_runs
    where job_id = j.id order by created_at desc limit 1
  ) lr on true`;
const JOBS_WITH_LAST_RUN = jobsWithLastRun();

const RUN_WITH_JOB_NAME = `select ${columnsOf(jobRuns, 'r')}, j.name as "jobName"
  from job_runs r join scheduled_jobs j on j.id = r.job_id`;

export const JOB_SORT_SQL: Record<string, string> = {
  name: 'j.name asc',
  '-name': 'j.name desc',
  created_at: 'j.created_at asc, j.name',
  '-created_at': 'j.created_at desc, j.name',
  updated_at: 'j.updated_at asc, j.name',
  '-updated_at': 'j.updated_at desc, j.name',
  next_run_at: 'j.next_run_at asc nulls last, j.name',
  '-next_run_at': 'j.next_run_at desc nulls last, j.name',
  last_run_at: 'j.last_run_at asc nulls last, j.name',
  '-last_run_at': 'j.last_run_at desc nulls last, j.name',
};

/** Tells every replica's scheduler (LISTEN) that a job (`job:<id>`) or the run queue (`run`) changed. */
export async function notifyScheduler(tx: SqlExecutor, payload: string): Promise<void> {
  await tx.query('select pg_notify($1, $2)', [SCHEDULER_CHANNEL, payload]);
}

/** The job under its row lock: every change to a job is decided holding it. */
export async function lockJob(tx: SqlExecutor, id: string): Promise<JobRow | undefined> {
  const [row] = await tx.query<JobRow>(`select ${JOB} from scheduled_jobs where id = $1 for update`, [id]);
  return row && readJob(row);
}

export async function jobExists(db: SqlExecutor, id: string): Promise<boolean> {
  const [row] = await db.query('select 1 from scheduled_jobs where id = $1', [id]);
  return row !== undefined;
}

export async function insertJob(
  tx: SqlExecutor,
  job: JobValues,
  nextRunAt: string | null,
  actor: string,
): Promise<JobRow> {
  const [row] = await tx.query<JobRow>(
    `insert into scheduled_jobs (name, description, func, cron, timezone, args, kwargs, enabled,
       timeout_seconds, max_retries, retry_backoff_seconds, overlap_policy, misfire_policy,
       misfire_grace_seconds, misfire_max_catchup, retention_max_runs, retention_max_age_days, next_run_at,
       created_by, updated_by, status)
     values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
       $19, 'idle')
     returning ${JOB}`,
    [...definitionParams(job), nextRunAt, actor],
  );
  return readJob(row!);
}

/** Writes every setting, bumps the version and returns the new row. */
export async function updateJob(
  tx: SqlExecutor,
  id: string,
  job: JobValues,
  nextRunAt: string | null,
  actor: string,
): Promise<JobRow> {
  const [row] = await tx.query<JobRow>(
    `update scheduled_jobs set name = $2, description = $3, func = $4, cron = $5, timezone = $6,
       args = $7::jsonb, kwargs = $8::jsonb, enabled = $9, timeout_seconds = $10, max_retries = $11,
       retry_backoff_seconds = $12, overlap_policy = $13, misfire_policy = $14, misfire_grace_seconds = $15,
       misfire_max_catchup = $16, retention_max_runs = $17, retention_max_age_days = $18, next_run_at = $19,
       updated_by = $20, updated_at = now(),
       version = version + 1
     where id = $1 returning ${JOB}`,
    [id, ...definitionParams(job), nextRunAt, actor],
  );
  return readJob(row!);
}

function definitionParams(job: JobValues): unknown[] {
  return [
    job.name,
    job.description,
    job.func,
    job.cron,
    job.timezone,
    JSON.stringify(job.args),
    JSON.stringify(job.kwargs),
    job.enabled,
    job.timeoutSeconds,
    job.maxRetries,
    job.retryBackoffSeconds,
    job.overlapPolicy,
    job.misfirePolicy,
    job.misfireGraceSeconds,
    job.misfireMaxCatchup,
    job.retentionMaxRuns,
    job.retentionMaxAgeDays,
  ];
}

export async function setJobEnabled(
  tx: SqlExecutor,
  id: string,
  enabled: boolean,
  nextRunAt: string | null,
  actor: string,
): Promise<JobRow> {
  const [row] = await tx.query<JobRow>(
    `update scheduled_jobs set enabled = $2, next_run_at = $3, updated_by = $4, updated_at = now(),
       version = version + 1
     where id = $1 returning ${JOB}`,
    [id, enabled, nextRunAt, actor],
  );
  return readJob(row!);
}

/** Archives (or brings back) a job; either way it is left disabled with no next run. */
export async function setJobArchived(
  tx: SqlExecutor,
  id: string,
  archived: boolean,
  actor: string,
): Promise<JobRow> {
  const [row] = await tx.query<JobRow>(
    `update scheduled_jobs set archived_at = ${archived ? 'now()' : 'null'}, enabled = false,
       next_run_at = null, updated_by = $2, updated_at = now(), version = version + 1
     where id = $1 returning ${JOB}`,
    [id, actor],
  );
  return readJob(row!);
}

export async function selectJobWithLastRun(
  db: SqlExecutor,
  id: string,
): Promise<JobWithLastRunRow | undefined> {
  const [row] = await db.query<JobWithLastRunRow>(`${JOBS_WITH_LAST_RUN} where j.id = $1`, [id]);
  return row && readJob(row);
}

/**
 * One page of jobs and the filter's total in one round trip: the count is an uncorrelated subquery (run once).
 * Past the last page no row carries the total, so it is counted on its own.
 */
export async function selectJobPage(
  db: SqlExecutor,
  where: WhereBuilder,
  sort: string,
  page: number,
  pageSize: number,
): Promise<{ rows: JobWithLastRunRow[]; total: number }> {
  const whereSql = where.sql();
  const countSql = `select count(*)::int from scheduled_jobs j ${whereSql}`;
  const { limit, offset } = pageWindow(page, pageSize);
  const rows = await db.query<JobWithLastRunRow & { totalCount: number }>(
    `${jobsWithLastRun(`, (${countSql}) as "totalCount"`)} ${whereSql}
     order by ${JOB_SORT_SQL[sort] ?? JOB_SORT_SQL.name}
     limit ${limit} offset ${offset}`,
    where.params,
  );
  let total = rows[0]?.totalCount;
  if (total === undefined && page > 1) {
    const [count] = await db.query<{ n: number }>(
      countSql.replace('count(*)::int', 'count(*)::int as n'),
      where.params,
    );
    total = count?.n;
  }
  return { rows: rows.map(readJob), total: total ?? 0 };
}

export async function selectRun(db: SqlExecutor, id: string): Promise<RunRow | undefined> {
  const [row] = await db.query<RunRow>(`${RUN_WITH_JOB_NAME} where r.id = $1`, [id]);
  return row && readRun(row);
}

export async function selectRunByIdempotencyKey(
  tx: SqlExecutor,
  jobId: string,
  key: string,
): Promise<RunRow | undefined> {
  const [row] = await tx.query<RunRow>(
    `${RUN_WITH_JOB_NAME} where r.job_id = $1 and r.idempotency_key = $2`,
    [jobId, key],
  );
  return row && readRun(row);
}

export async function selectRunPage(
  db: SqlExecutor,
  where: WhereBuilder,
  page: number,
  pageSize: number,
): Promise<{ rows: RunRow[]; total: number }> {
  const whereSql = where.sql();
  const { rows, total } = await countedPage<RunRow>(
    db,
    {
      count: `select count(*)::int as n from job_runs r ${whereSql}`,
      rows: (limit, offset) => `${RUN_WITH_JOB_NAME} ${whereSql}
        order by r.scheduled_for desc, r.created_at desc limit ${limit} offset ${offset}`,
    },
    where.params,
    page,
    pageSize,
  );
  return { rows: rows.map(readRun), total };
}

/** A queued manual run: "run now", or the retry of a dead run (retryOf set, its tick and next attempt). */
export async function insertManualRun(
  tx: SqlExecutor,
  run: {
    jobId: string;
    idempotencyKey: string | null;
    requestedBy: string;
    note: string;
    retry?: { of: string; scheduledFor: Date; attempt: number };
  },
): Promise<JobRunRow> {
  const [row] = await tx.query<JobRunRow>(
    `insert into job_runs (job_id, scheduled_for, trigger, status, attempt, retry_of, idempotency_key,
       requested_by, not_before, note)
     values ($1, coalesce($2::timestamptz, now()), 'manual', 'queued', $3, $4, $5, $6, now(), $7)
     returning ${columnsOf(jobRuns)}`,
    [
      run.jobId,
      run.retry ? run.retry.scheduledFor.toISOString() : null,
      run.retry?.attempt ?? 1,
      run.retry?.of ?? null,
      run.idempotencyKey,
      run.requestedBy,
      run.note,
    ],
  );
  return readRun(row!);
}
