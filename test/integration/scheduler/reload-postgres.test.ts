// On real PostgreSQL (postgres.js): rows edited directly in SQL, with no NOTIFY, are picked up by the
// polling fallback; a NOTIFY from another connection re-arms at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresClient, type SqlClient } from '../../../src/db/client.ts';
import { migrateAppDatabase } from '../../../src/db/migrate.ts';
import type { Scheduler } from '../../../src/scheduler/engine.ts';
import { createTestDatabase, realPostgresUrl } from '../../support/real-servers.ts';
import { createTestScheduler, eventually, insertJob } from '../../support/scheduler-harness.ts';

describe.skipIf(!realPostgresUrl())('hot reload on real PostgreSQL', () => {
  let db: SqlClient;
  let other: SqlClient;
  let scheduler: Scheduler;

  beforeAll(async () => {
    const url = await createTestDatabase('reload');
    db = createPostgresClient({ url, label: 'scheduler', max: 4 });
    other = createPostgresClient({ url, label: 'psql-user', max: 1 });
    await migrateAppDatabase(db);
    ({ scheduler } = await createTestScheduler(db, { pollMs: 200 }));
    await scheduler.start();
  });
  afterAll(async () => {
    await scheduler.stop();
    await Promise.all([db.close(), other.close()]);
  });

  it('arms a job inserted in SQL without NOTIFY, and sets its next_run_at', async () => {
    const jobId = await insertJob(other, { func: 'app.jobs.heartbeat:hello_job', cron: '0 0 1 1 *' });
    const armed = await eventually(async () => scheduler.nextTickOf(jobId));
    expect(armed.getUTCMonth()).toBe(0);
    const [row] = await other.query<{ next_run_at: string }>(
      'select next_run_at from scheduled_jobs where id = $1',
      [jobId],
    );
    expect(new Date(row!.next_run_at).getTime()).toBe(armed.getTime());
  });

  it('re-arms after a cron edit in SQL (poll) and after a NOTIFY from another connection', async () => {
    const jobId = await insertJob(other, { func: 'app.jobs.heartbeat:hello_job', cron: '0 0 1 1 *' });
    await eventually(async () => scheduler.nextTickOf(jobId));
    await other.query(`update scheduled_jobs set cron = '0 0 1 3 *' where id = $1`, [jobId]);
    await eventually(async () => scheduler.nextTickOf(jobId)?.getUTCMonth() === 2);
    await other.query(`update scheduled_jobs set archived_at = now() where id = $1`, [jobId]);
    await other.query(`select pg_notify('app_scheduler', $1)`, [`job:${jobId}`]);
    await eventually(async () => scheduler.nextTickOf(jobId) === undefined);
  });
});
