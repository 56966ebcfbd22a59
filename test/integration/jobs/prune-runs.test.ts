// prune_runs with per-job retention, on PGlite and on real PostgreSQL: each job's own limits (max runs, max age),
// the global policy for the rest, bounded batches, and the runs it must never delete (queued, running, recent
// scheduled ticks).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/index.ts';
import { createPostgresClient, type SqlClient } from '../../../src/db/client.ts';
import { pruneRunsJob } from '../../../src/job-functions/builtin/prune-runs.ts';
import type { JobContext } from '../../../src/job-functions/types.ts';
import { createMigratedTestDatabase, realPostgresUrl } from '../../support/real-servers.ts';
import {
  createMigratedPglite,
  insertJob,
  silentLogger,
  testConfig,
} from '../../support/scheduler-harness.ts';

function pruneSuite(open: () => Promise<SqlClient>) {
  let db: SqlClient;
  let config: Config;

  beforeAll(async () => {
    db = await open();
    config = testConfig({ RUN_RETENTION_DAYS: '30' });
  });
  afterAll(() => db?.close());

  const prune = (args: Record<string, unknown> = {}, signal = new AbortController().signal) =>
    pruneRunsJob.run({ signal, appDb: db, config, logger: silentLogger() } as unknown as JobContext, {
      ...pruneRunsJob.argsSchema.parse(args),
    });

  async function jobWith(retention: { max_runs?: number; max_age_days?: number } = {}) {
    const id = await insertJob(db);
    await db.query(
      'update scheduled_jobs set retention_max_runs = $2, retention_max_age_days = $3 where id = $1',
      [id, retention.max_runs ?? null, retention.max_age_days ?? null],
    );
    return id;
  }

  /** `count` finished runs, the newest `step` ago and each older one `step` further back. */
  async function addRuns(
    jobId: string,
    count: number,
    step: string,
    options: { status?: string; trigger?: string; from?: number } = {},
  ) {
    await db.query(
      `insert into job_runs (job_id, scheduled_for, trigger, status, created_at)
       select $1, now() - $2::interval * g, $3, $4, now() - $2::interval * g
       from generate_series($5::int, $5::int + $6::int - 1) g`,
      [jobId, step, options.trigger ?? 'schedule', options.status ?? 'succeeded', options.from ?? 1, count],
    );
  }

  const ages = async (jobId: string, unit: 'hours' | 'days' | 'minutes') =>
    (
      await db.query<{ age: number; status: string }>(
        `select round(extract(epoch from now() - created_at) / $2::int)::int as age, status
         from job_runs where job_id = $1 order by created_at desc`,
        [jobId, { minutes: 60, hours: 3600, days: 86_400 }[unit]],
      )
    ).map((row) => (row.status === 'succeeded' ? row.age : `${row.age}:${row.status}`));

  const total = async () => (await db.query<{ n: number }>('select count(*)::int as n from job_runs'))[0]!.n;

  /** Runs prune and checks that what it says it deleted is what left the table. */
  async function pruneAndCount(args: Record<string, unknown> = {}) {
    const before = await total();
    const result = (await prune(args)) as { deleted: number; batches: number };
    expect(before - (await total())).toBe(result.deleted);
    return result;
  }

  it('a job without its own retention follows the global policy (age, keeping the newest keep_per_job)', async () => {
    const job = await jobWith();
    await addRuns(job, 40, '1 day');
    await pruneAndCount({ keep_per_job: 5 });
    // Older than 30 days are gone (day 30 itself was inserted a moment before the prune's now()).
    expect(await ages(job, 'days')).toEqual(Array.from({ length: 29 }, (_, i) => i + 1));

    const few = await jobWith();
    await addRuns(few, 4, '100 days');
    await pruneAndCount({ keep_per_job: 3 });
    expect(await ages(few, 'days')).toEqual([100, 200, 300]);
  });

  it('max runs keeps the newest N whatever their age; queued and running runs are never deleted', async () => {
    const job = await jobWith({ max_runs: 3 });
    await addRuns(job, 10, '1 hour');
    // An old running run (a long job) and an old queued one: over the limit, but in flight.
    await addRuns(job, 1, '20 hours', { status: 'running', trigger: 'manual' });
    await addRuns(job, 1, '21 hours', { status: 'queued', trigger: 'manual' });
    await pruneAndCount();
    expect(await ages(job, 'hours')).toEqual([1, 2, 3, '20:running', '21:queued']);
  });

  it('max age deletes older runs exactly (no keep_per_job floor); with max runs too, either limit deletes', async () => {
    const aged = await jobWith({ max_age_days: 7 });
    await addRuns(aged, 10, '1 day');
    await pruneAndCount({ keep_per_job: 20 });
    expect(await ages(aged, 'days')).toEqual([1, 2, 3, 4, 5, 6]);

    const both = await jobWith({ max_runs: 4, max_age_days: 2 });
    await addRuns(both, 10, '12 hours');
    await pruneAndCount();
    // 12 h .. 36 h are younger than 2 days; the 4th newest (48 h) is past the age.
    expect(await ages(both, 'hours')).toEqual([12, 24, 36]);

    const countOnly = await jobWith({ max_runs: 4 });
    await addRuns(countOnly, 6, '40 days');
    await pruneAndCount({ keep_per_job: 20 });
    // Its own count (4) and the global age rule with the floor (20 kept) together: 4 stay.
    expect(await ages(countOnly, 'days')).toEqual([40, 80, 120, 160]);
  });

  it('keeps scheduled ticks of the last minutes, so a late replica cannot claim a pruned tick again', async () => {
    const job = await jobWith({ max_runs: 1 });
    await addRuns(job, 3, '2 minutes');
    await addRuns(job, 2, '1 minute', { trigger: 'manual', from: 7 });
    await pruneAndCount();
    // The newest stays by count; the two older ticks by the guard; the manual runs past the count go.
    expect(await ages(job, 'minutes')).toEqual([2, 4, 6]);
  });

  it('deletes in bounded batches, and a dry run counts without deleting', async () => {
    const job = await jobWith({ max_runs: 1 });
    await addRuns(job, 25, '1 hour');
    const dry = (await prune({ dry_run: true })) as { matched: number; dry_run: boolean };
    expect(dry).toMatchObject({ dry_run: true, matched: 24 });
    expect(await ages(job, 'hours')).toHaveLength(25);

    const result = await pruneAndCount({ batch_size: 10 });
    expect(result).toMatchObject({ deleted: 24, batches: 3 });
    expect(await ages(job, 'hours')).toEqual([1]);
    expect(await prune({ dry_run: true })).toMatchObject({ matched: 0 });
  });

  it('stops between batches when aborted (the job timeout)', async () => {
    const job = await jobWith({ max_runs: 1 });
    await addRuns(job, 5, '1 hour');
    const controller = new AbortController();
    controller.abort(new Error('timed out'));
    await expect(prune({}, controller.signal)).rejects.toThrow('timed out');
    expect(await ages(job, 'hours')).toHaveLength(5);
  });

  it('refuses retention outside its bounds in the database too', async () => {
    const job = await jobWith();
    for (const [column, value] of [
      ['retention_max_runs', 0],
      ['retention_max_runs', 100_001],
      ['retention_max_age_days', 0],
      ['retention_max_age_days', 3651],
    ] as const) {
      await expect(
        db.query(`update scheduled_jobs set ${column} = $2 where id = $1`, [job, value]),
      ).rejects.toThrow(/scheduled_jobs_retention_/);
    }
  });
}

describe('prune_runs on PGlite', () => {
  pruneSuite(createMigratedPglite);
});

describe.skipIf(!realPostgresUrl())('prune_runs on real PostgreSQL', () => {
  pruneSuite(async () =>
    createPostgresClient({ url: await createMigratedTestDatabase('prune'), label: 'prune', max: 2 }),
  );
});
