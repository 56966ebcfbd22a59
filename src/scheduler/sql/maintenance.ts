// The maintenance statements: expired leases, recorded and missed ticks.
import type { SqlExecutor } from '../../db/index.ts';
import type { JobRunRow } from '../../db/schema/index.ts';
import { asDate } from './rows.ts';

export async function selectExpiredLeases(db: SqlExecutor): Promise<Pick<JobRunRow, 'id' | 'jobId'>[]> {
  return db.query<Pick<JobRunRow, 'id' | 'jobId'>>(
    `select id, job_id as "jobId" from job_runs where status = 'running' and lease_expires_at < now() limit 100`,
  );
}

/** Ticks in [first, last] that already have a scheduled or catch-up row. */
export async function selectRecordedTicks(
  tx: SqlExecutor,
  jobId: string,
  first: Date,
  last: Date,
): Promise<Date[]> {
  const rows = await tx.query<Pick<JobRunRow, 'scheduledFor'>>(
    `select scheduled_for as "scheduledFor" from job_runs where job_id = $1 and trigger in ('schedule', 'catchup')
       and scheduled_for between $2 and $3`,
    [jobId, first.toISOString(), last.toISOString()],
  );
  return rows.map((row) => asDate(row.scheduledFor)!);
}

/**
 * The catch-up runs queued for this job after `firstUnclaimed` fell due, for ticks before it: an earlier
 * sweep pass saw the same outage (undefined if none).
 */
export async function earlierCatchup(
  tx: SqlExecutor,
  jobId: string,
  firstUnclaimed: Date,
): Promise<{ queuedAt: Date; runs: number } | undefined> {
  const [row] = await tx.query<{ queuedAt: Date | string | null; runs: number }>(
    `select max(created_at) as "queuedAt", count(*)::int as runs from job_runs
      where job_id = $1 and trigger = 'catchup' and scheduled_for < $2 and created_at >= $2`,
    [jobId, firstUnclaimed.toISOString()],
  );
  const queuedAt = asDate(row?.queuedAt);
  return queuedAt && row ? { queuedAt, runs: row.runs } : undefined;
}

/** A tick no replica claimed: queued as a catch-up run, or recorded as missed. Zero rows if it has one. */
export async function insertMissedTick(
  tx: SqlExecutor,
  tick: { jobId: string; scheduledFor: Date; runIt: boolean; note: string },
): Promise<number> {
  const rows = await tx.query(
    `insert into job_runs (job_id, scheduled_for, trigger, status, attempt, not_before, finished_at, note)
     values ($1, $2, $3, $4, 1, case when $5::boolean then now() end, case when $5::boolean then null else now() end, $6)
     on conflict (job_id, scheduled_for) where trigger in ('schedule', 'catchup') do nothing
     returning id`,
    [
      tick.jobId,
      tick.scheduledFor.toISOString(),
      tick.runIt ? 'catchup' : 'schedule',
      tick.runIt ? 'queued' : 'missed',
      tick.runIt,
      tick.note,
    ],
  );
  return rows.length;
}
