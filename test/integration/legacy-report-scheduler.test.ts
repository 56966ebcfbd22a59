// The reported attack end to end: an app.jobs.legacy:sql_report job run by the real scheduler against a legacy
// database reached as a superuser, with dblink installed. The run fails with the guard's reason (a run error,
// nothing deleted), and a report that outlives its timeout is timed out and leaves no backend behind.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresClient, type SqlClient } from '../../src/db/client.ts';
import { createLegacyDatabase } from '../../src/db/legacy.ts';
import { LEGACY_DEMO_SCHEMA } from '../../src/db/legacy-demo.ts';
import type { Scheduler } from '../../src/scheduler/index.ts';
import { createMigratedTestDatabase, createTestDatabase, realPostgresUrl } from '../support/real-servers.ts';
import { createTestScheduler, eventually, insertJob, runsOf } from '../support/scheduler-harness.ts';

const APPLICATION = 'legacy-report-scheduler-test';

describe.skipIf(!realPostgresUrl())('sql_report jobs through the scheduler', () => {
  let app: SqlClient;
  let legacyRaw: SqlClient;
  let owner: postgres.Sql;
  let scheduler: Scheduler;

  beforeAll(async () => {
    app = createPostgresClient({
      url: await createMigratedTestDatabase('legacy_sched_app'),
      label: 'app',
      max: 4,
    });
    const legacyUrl = await createTestDatabase('legacy_sched');
    owner = postgres(legacyUrl, { max: 2, onnotice: () => {} });
    for (const statement of LEGACY_DEMO_SCHEMA) await owner.unsafe(statement);
    await owner.unsafe('create extension if not exists dblink');
    legacyRaw = createPostgresClient({
      url: legacyUrl,
      label: 'legacy',
      max: 2,
      applicationName: APPLICATION,
    });
    ({ scheduler } = await createTestScheduler(app, { legacyDb: await createLegacyDatabase(legacyRaw) }));
  });
  afterAll(async () => {
    await scheduler?.idle();
    await Promise.allSettled([app?.close(), legacyRaw?.close(), owner?.end()]);
  });

  const tick = new Date('2026-01-01T10:00:00Z');

  it('fails the reported (x).dblink_exec attack with the guard reason, and deletes nothing', async () => {
    const jobId = await insertJob(app, {
      func: 'app.jobs.legacy:sql_report',
      nextRunAt: tick,
      kwargs: {
        query:
          "select ('host=127.0.0.1 dbname=legacy user=app'::text).dblink_connect as c, ('delete from orders'::text).dblink_exec as d",
      },
    });
    expect(await scheduler.claimTick(jobId, tick)).toBe('running');
    await scheduler.idle();
    const [failed] = await runsOf(app, jobId);
    expect(failed!.status).toMatch(/failed|dead/);
    expect(failed!.error?.message).toMatch(/dblink_connect.*not allowed on the legacy database/);
    expect(await owner`select count(*)::int as n from orders`).toEqual([{ n: 4 }]);
  });

  it('times out a report that waits too long and cancels its query on the server', async () => {
    const locker = await owner.reserve();
    try {
      await locker`begin`;
      await locker`lock table orders in access exclusive mode`;
      const jobId = await insertJob(app, {
        func: 'app.jobs.legacy:sql_report',
        nextRunAt: tick,
        timeoutSeconds: 1,
        kwargs: { query: 'select count(*) from orders' },
      });
      expect(await scheduler.claimTick(jobId, tick)).toBe('running');
      await scheduler.idle();
      const [timedOut] = await runsOf(app, jobId);
      // The run's abort or the statement timeout (both from timeout_seconds) ended it.
      expect(timedOut!.status).toMatch(/timed_out|dead|failed/);
      expect(JSON.stringify(timedOut!.error)).toMatch(/timed out|statement timeout|cancel/);
      // Nothing is left running on the legacy server.
      await eventually(async () => {
        const active = await owner`select count(*)::int as n from pg_stat_activity
          where application_name = ${APPLICATION} and state = 'active'`;
        return active[0]!.n === 0;
      });
    } finally {
      await locker.unsafe('rollback').catch(() => {});
      locker.release();
    }
  });
});
