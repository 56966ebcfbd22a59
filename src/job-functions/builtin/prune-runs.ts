// Prunes finished run history: each job by its own retention (scheduled_jobs.retention_*), the rest by the
// global policy (older than retention_days, keeping the newest keep_per_job runs of every job).
//
// A job's own limits replace the global ones field by field:
// - retention_max_runs N: runs beyond the job's newest N are deleted, whatever their age;
// - retention_max_age_days D: runs older than D days are deleted (exact: no keep_per_job floor);
//   unset, the global age rule (retention_days, with the keep_per_job floor) applies.
// Never deleted: queued or running runs, and scheduled ticks of the last few minutes (RECENT_TICK_GUARD), so a
// replica whose timer fires late cannot claim a pruned tick a second time. Deletes go job by job in batches of
// at most batch_size rows (each an index range scan on job_runs_job_created_idx), so no statement holds many
// locks or runs long, and an abort (the job's timeout) stops between batches.
import { z } from '@hono/zod-openapi';
import type { SqlExecutor } from '../../db/index.ts';
import { defineJob } from '../types.ts';

/** Scheduled ticks younger than this stay, whatever the limits say (see above). */
export const RECENT_TICK_GUARD = '10 minutes';

/** Jobs read per page while walking scheduled_jobs. */
const JOBS_PAGE = 500;

type JobRetention = {
  id: string;
  max_runs: number | null;
  max_age_days: number | null;
};

interface GlobalPolicy {
  retentionDays: number;
  keepPerJob: number;
}

/**
 * The runs of one job that its retention (or the global policy) lets go, oldest first. $1 job id, $2 the job's
 * max runs, $3 its max age in days, $4 global retention days, $5 keep_per_job; `limit` is appended by callers.
 */
const PRUNABLE = `
  select r.id from job_runs r
  where r.job_id = $1
    and r.status not in ('queued', 'running')
    and not (r.trigger in ('schedule', 'catchup') and r.scheduled_for > now() - interval '${RECENT_TICK_GUARD}')
    and (
      -- beyond the job's newest max_runs: older than the max_runs-th newest run (null when there are fewer)
      ($2::int is not null and (r.created_at, r.id) < (
        select n.created_at, n.id from job_runs n where n.job_id = $1
        order by n.created_at desc, n.id desc offset greatest($2::int - 1, 0) limit 1))
      -- older than the job's own max age
      or ($3::int is not null and r.created_at < now() - make_interval(days => $3::int))
      -- no age of its own: the global age rule, never touching the newest keep_per_job
      or ($3::int is null and r.created_at < now() - make_interval(days => $4::int)
          and ($5::int = 0 or (r.created_at, r.id) < (
            select n.created_at, n.id from job_runs n where n.job_id = $1
            order by n.created_at desc, n.id desc offset greatest($5::int - 1, 0) limit 1)))
    )`;

const paramsFor = (job: JobRetention, policy: GlobalPolicy) => [
  job.id,
  job.max_runs,
  job.max_age_days,
  policy.retentionDays,
  policy.keepPerJob,
];

async function* jobsWithRetention(db: SqlExecutor): AsyncGenerator<JobRetention> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page = await db.query<JobRetention>(
      `select id, retention_max_runs as max_runs, retention_max_age_days as max_age_days
       from scheduled_jobs where id > $1::uuid order by id limit ${JOBS_PAGE}`,
      [after],
    );
    yield* page;
    if (page.length < JOBS_PAGE) return;
    after = page.at(-1)!.id;
  }
}

/** Deletes at most `limit` prunable runs of one job; answers how many went. */
async function deleteBatch(db: SqlExecutor, job: JobRetention, policy: GlobalPolicy, limit: number) {
  const [row] = await db.query<{ n: number }>(
    `with doomed as (${PRUNABLE} order by r.created_at, r.id limit ${limit}),
     gone as (
       delete from job_runs r using doomed
       where r.id = doomed.id and r.status not in ('queued', 'running')
       returning 1
     )
     select count(*)::int as n from gone`,
    paramsFor(job, policy),
  );
  return row?.n ?? 0;
}

async function countPrunable(db: SqlExecutor, job: JobRetention, policy: GlobalPolicy) {
  const [row] = await db.query<{ n: number }>(
    `select count(*)::int as n from (${PRUNABLE}) p`,
    paramsFor(job, policy),
  );
  return row?.n ?? 0;
}

export const pruneRunsJob = defineJob({
  key: 'app.jobs.maintenance:prune_runs',
  description:
    "Deletes finished job_runs by each job's own retention (max runs, max age in days) and, where a job sets no max age, those older than retention_days (default RUN_RETENTION_DAYS) except its newest keep_per_job. Queued and running runs and jobs themselves are never deleted.",
  argsSchema: z
    .object({
      retention_days: z.number().int().min(1).max(3650).optional(),
      keep_per_job: z.number().int().min(0).max(10_000).default(20),
      batch_size: z.number().int().min(1).max(10_000).default(1000),
      dry_run: z.boolean().default(false),
    })
    .strict(),
  async run(ctx, args) {
    const policy: GlobalPolicy = {
      retentionDays: args.retention_days ?? ctx.config.scheduler.runRetentionDays,
      keepPerJob: args.keep_per_job,
    };
    let jobs = 0;
    let total = 0;
    let batches = 0;
    for await (const job of jobsWithRetention(ctx.appDb)) {
      ctx.signal.throwIfAborted();
      jobs++;
      if (args.dry_run) {
        total += await countPrunable(ctx.appDb, job, policy);
        continue;
      }
      for (;;) {
        ctx.signal.throwIfAborted();
        const deleted = await deleteBatch(ctx.appDb, job, policy, args.batch_size);
        if (deleted > 0) batches++;
        total += deleted;
        if (deleted < args.batch_size) break;
      }
    }
    const summary = { retention_days: policy.retentionDays, keep_per_job: policy.keepPerJob, jobs };
    if (args.dry_run) return { dry_run: true, ...summary, matched: total };
    ctx.logger.info({ deleted: total, batches, ...summary }, 'run history pruned');
    return { dry_run: false, ...summary, deleted: total, batches };
  },
});
