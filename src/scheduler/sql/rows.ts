// The rows the engine's statements return, typed from db/schema: columns are aliased to the schema's property
// names and timestamps are normalised to Date (postgres.js hands timestamptz back as text here, PGlite as Date).
import type { JobRunRow, ScheduledJobRow } from '../../db/schema/index.ts';
import { asDate, iso } from '../../db/timestamps.ts';

/** What the engine reads of a scheduled job. */
export type EngineJob = Pick<
  ScheduledJobRow,
  | 'id'
  | 'name'
  | 'func'
  | 'cron'
  | 'timezone'
  | 'kwargs'
  | 'enabled'
  | 'archivedAt'
  | 'version'
  | 'status'
  | 'overlapPolicy'
  | 'misfirePolicy'
  | 'misfireGraceSeconds'
  | 'misfireMaxCatchup'
  | 'timeoutSeconds'
  | 'maxRetries'
  | 'retryBackoffSeconds'
  | 'nextRunAt'
>;

/** What the engine needs of a run it starts. */
export type EngineRun = Pick<JobRunRow, 'id' | 'jobId' | 'scheduledFor' | 'trigger' | 'status' | 'attempt'>;

/** A running run locked for its failure to be recorded. */
export type LockedRun = Pick<JobRunRow, 'attempt' | 'scheduledFor' | 'trigger' | 'replicaId'>;

/** The outcome of claiming one tick: whether the job is active and, for the winner, the inserted run. */
export type ClaimRow = {
  jobId: string;
  tick: string;
  active: boolean;
  run: EngineRun | null;
};

// postgres.js hands timestamptz back as text here, PGlite as Date: db/timestamps.ts reads both.
export { asDate, iso };

export const JOB_COLUMNS = `id, name, func, cron, timezone, kwargs, enabled, archived_at as "archivedAt", version, status,
  overlap_policy as "overlapPolicy", misfire_policy as "misfirePolicy", misfire_grace_seconds as "misfireGraceSeconds",
  misfire_max_catchup as "misfireMaxCatchup", timeout_seconds as "timeoutSeconds", max_retries as "maxRetries",
  retry_backoff_seconds as "retryBackoffSeconds", next_run_at as "nextRunAt"`;

export const RUN_COLUMNS = `id, job_id as "jobId", scheduled_for as "scheduledFor", trigger, status, attempt`;

export function normaliseJob(row: EngineJob): EngineJob {
  row.nextRunAt = asDate(row.nextRunAt);
  row.archivedAt = asDate(row.archivedAt);
  return row;
}

export function normaliseRun<T extends Pick<JobRunRow, 'scheduledFor'>>(row: T): T {
  row.scheduledFor = asDate(row.scheduledFor)!;
  return row;
}
