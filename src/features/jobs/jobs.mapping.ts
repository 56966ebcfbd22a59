// Rows (typed from db/schema) to the API's shapes (jobs.schemas.ts): snake_case names, ISO times, secret
// arguments masked, stacks left out of run errors.
import { iso } from '../../db/timestamps.ts';
import { describeCron } from '../../scheduler/cron.ts';
import { maskSealed } from '../../secrets/secret-box.ts';
import type { Job, Run } from './jobs.schemas.ts';
import type { JobRow, LastRunColumns, RunRow } from './jobs.sql.ts';

export function toJob(row: JobRow & Partial<LastRunColumns>): Job {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    func: row.func,
    cron: row.cron,
    cron_description: describeCron(row.cron) ?? null,
    timezone: row.timezone,
    args: row.args,
    // Secret arguments are write-only: sealed values read as {"set": true}.
    kwargs: maskSealed(row.kwargs) as Job['kwargs'],
    enabled: row.enabled,
    timeout_seconds: row.timeoutSeconds,
    max_retries: row.maxRetries,
    retry_backoff_seconds: row.retryBackoffSeconds,
    overlap_policy: row.overlapPolicy,
    misfire_policy: row.misfirePolicy,
    misfire_grace_seconds: row.misfireGraceSeconds,
    misfire_max_catchup: row.misfireMaxCatchup,
    retention_max_runs: row.retentionMaxRuns ?? null,
    retention_max_age_days: row.retentionMaxAgeDays ?? null,
    status: row.status,
    last_run_at: iso(row.lastRunAt),
    next_run_at: iso(row.nextRunAt),
    version: row.version,
    archived_at: iso(row.archivedAt),
    created_by: row.createdBy ?? null,
    updated_by: row.updatedBy ?? null,
    created_at: iso(row.createdAt)!,
    updated_at: iso(row.updatedAt)!,
    // Reads (get, list) carry the most recent run; the rows a mutation returns do not.
    ...('lastRunId' in row ? { last_run: toLastRun(row) } : {}),
  };
}

function toLastRun(row: Partial<LastRunColumns>): Job['last_run'] {
  if (!row.lastRunId) return null;
  return {
    id: row.lastRunId,
    status: row.lastRunStatus!,
    trigger: row.lastRunTrigger!,
    scheduled_for: iso(row.lastRunScheduledFor)!,
    started_at: iso(row.lastRunStartedAt),
    finished_at: iso(row.lastRunFinishedAt),
    duration_ms: row.lastRunDurationMs ?? null,
  };
}

export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    job_id: row.jobId,
    job_name: row.jobName ?? null,
    scheduled_for: iso(row.scheduledFor)!,
    trigger: row.trigger,
    status: row.status,
    attempt: row.attempt,
    retry_of: row.retryOf ?? null,
    idempotency_key: row.idempotencyKey ?? null,
    replica_id: row.replicaId ?? null,
    requested_by: row.requestedBy ?? null,
    not_before: iso(row.notBefore),
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
    duration_ms: row.durationMs ?? null,
    output: row.output ?? null,
    // Rows written before stacks were left out of run rows may still hold one: never shown.
    error: row.error ? { ...row.error, stack: undefined } : null,
    note: row.note ?? null,
    created_at: iso(row.createdAt)!,
  };
}
