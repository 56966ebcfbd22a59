// The last 24 hours at a glance, read from job_runs and scheduled_jobs: runs per hour by outcome, the slowest
// and the most-failing jobs, and the next fires. Four read-only statements; the view draws them (views/pages).
import type { SqlExecutor } from '../../db/index.ts';
import type { Dashboard, FailingJob, HourBucket, SlowJob } from './dashboard.schemas.ts';

export const DASHBOARD_HOURS = 24;

/** Outcomes that count as failures on the dashboard. */
export const FAILED_STATUSES = ['failed', 'timed_out', 'dead'] as const;

const toIso = (value: unknown) => (value instanceof Date ? value : new Date(String(value))).toISOString();

export async function loadDashboard(db: SqlExecutor, now: Date, top = 5): Promise<Dashboard> {
  const hourMs = 3_600_000;
  const currentHour = Math.floor(now.getTime() / hourMs) * hourMs;
  const since = new Date(currentHour - (DASHBOARD_HOURS - 1) * hourMs);
  const until = new Date(now.getTime() + DASHBOARD_HOURS * hourMs);
  const [perHour, slowest, failing, nextFires] = await Promise.all([
    // Epoch hours, so the buckets are UTC hours whatever the session's time zone.
    db.query<{ hour: number; status: string; n: number }>(
      `select floor(extract(epoch from coalesce(started_at, created_at)) / 3600)::int as hour, status,
              count(*)::int as n
         from job_runs
        where coalesce(started_at, created_at) >= $1
        group by 1, 2`,
      [since.toISOString()],
    ),
    db.query<SlowJob>(
      `select j.id as job_id, j.name, count(*)::int as runs,
              round(avg(r.duration_ms))::int as avg_ms,
              round(percentile_cont(0.95) within group (order by r.duration_ms))::int as p95_ms,
              max(r.duration_ms)::int as max_ms
         from job_runs r join scheduled_jobs j on j.id = r.job_id
        where r.finished_at >= $1 and r.duration_ms is not null
        group by j.id, j.name
        order by p95_ms desc, max_ms desc
        limit $2`,
      [since.toISOString(), top],
    ),
    db.query<FailingJob>(
      `select j.id as job_id, j.name, count(*)::int as runs,
              (count(*) filter (where r.status = any($3::text[])))::int as failures,
              (array_agg(r.error ->> 'message' order by r.created_at desc)
                 filter (where r.status = any($3::text[])))[1] as last_error
         from job_runs r join scheduled_jobs j on j.id = r.job_id
        where coalesce(r.started_at, r.created_at) >= $1
        group by j.id, j.name
       having count(*) filter (where r.status = any($3::text[])) > 0
        order by failures desc, runs asc
        limit $2`,
      [since.toISOString(), top, FAILED_STATUSES],
    ),
    db.query<{ job_id: string; name: string; next_run_at: unknown; cron: string }>(
      `select id as job_id, name, next_run_at, cron
         from scheduled_jobs
        where enabled and archived_at is null and next_run_at >= $1 and next_run_at < $2
        order by next_run_at, name
        limit 40`,
      [new Date(now.getTime() - 60_000).toISOString(), until.toISOString()],
    ),
  ]);
  const hours: HourBucket[] = [];
  const byHour = new Map<number, Record<string, number>>();
  for (let i = 0; i < DASHBOARD_HOURS; i++) {
    const start = since.getTime() + i * hourMs;
    const counts: Record<string, number> = {};
    byHour.set(start, counts);
    hours.push({ hour: new Date(start).toISOString(), counts });
  }
  for (const row of perHour) {
    const counts = byHour.get(Number(row.hour) * hourMs);
    if (counts) counts[row.status] = (counts[row.status] ?? 0) + row.n;
  }
  return {
    now: now.toISOString(),
    hours,
    slowest,
    failing,
    nextFires: nextFires.map((row) => ({ ...row, next_run_at: toIso(row.next_run_at) })),
  };
}
