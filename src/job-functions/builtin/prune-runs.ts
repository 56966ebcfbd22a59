// Prunes finished run history older than the retention period, keeping the newest runs of every job.
import { z } from '@hono/zod-openapi';
import { defineJob } from '../types.ts';

export const pruneRunsJob = defineJob({
  key: 'app.jobs.maintenance:prune_runs',
  description:
    'Deletes finished job_runs older than retention_days (default RUN_RETENTION_DAYS), keeping the newest keep_per_job runs of every job. Jobs themselves are never deleted.',
  argsSchema: z
    .object({
      retention_days: z.number().int().min(1).max(3650).optional(),
      keep_per_job: z.number().int().min(0).max(10_000).default(20),
      dry_run: z.boolean().default(false),
    })
    .strict(),
  async run(ctx, args) {
    const days = args.retention_days ?? ctx.config.scheduler.runRetentionDays;
    const candidates = `
      select id from (
        select id, created_at, status,
               row_number() over (partition by job_id order by created_at desc) as newest
        from job_runs
      ) ranked
      where status not in ('running', 'queued')
        and created_at < now() - make_interval(days => $1::int)
        and newest > $2::int`;
    if (args.dry_run) {
      const [row] = await ctx.appDb.query<{ n: number }>(`select count(*)::int as n from (${candidates}) c`, [
        days,
        args.keep_per_job,
      ]);
      return { dry_run: true, retention_days: days, matched: row?.n ?? 0 };
    }
    const deleted = await ctx.appDb.query<{ id: string }>(
      `delete from job_runs where id in (${candidates}) returning id`,
      [days, args.keep_per_job],
    );
    ctx.logger.info({ deleted: deleted.length, retention_days: days }, 'run history pruned');
    return { dry_run: false, retention_days: days, deleted: deleted.length };
  },
});
