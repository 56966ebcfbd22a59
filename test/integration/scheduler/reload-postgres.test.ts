// On real PostgreSQL (postgres.js): rows edited directly in SQL, with no NOTIFY, are picked up by the
// polling fallback; a NOTIFY from another connection re-arms at once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresClient, type SqlClient } from '../../../src/db/client.ts';
import { createJobsService } from '../../../src/features/jobs/jobs.service.ts';
import { createJobRegistry } from '../../../src/job-functions/registry.ts';
import type { Scheduler } from '../../../src/scheduler/index.ts';
import { createSecretBox } from '../../../src/secrets/secret-box.ts';
import { createMigratedTestDatabase, realPostgresUrl } from '../../support/real-servers.ts';
import { createTestScheduler, eventually, insertJob } from '../../support/scheduler-harness.ts';

describe.skipIf(!realPostgresUrl())('scheduler and jobs service on real PostgreSQL', () => {
  let db: SqlClient;
  let other: SqlClient;
  let scheduler: Scheduler;

  beforeAll(async () => {
    const url = await createMigratedTestDatabase('reload');
    db = createPostgresClient({ url, label: 'scheduler', max: 4 });
    other = createPostgresClient({ url, label: 'psql-user', max: 1 });
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
    // The timer is armed first; next_run_at is written right after, in one statement for all such rows.
    const row = await eventually(async () => {
      const [found] = await other.query<{ next_run_at: string | null }>(
        'select next_run_at from scheduled_jobs where id = $1',
        [jobId],
      );
      return found?.next_run_at ? found : undefined;
    });
    expect(new Date(row.next_run_at!).getTime()).toBe(armed.getTime());
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

  it('the service round-trips jobs and runs through postgres.js (jsonb and timestamptz as the API shows them)', async () => {
    const jobs = createJobsService({
      db,
      registry: createJobRegistry(),
      secrets: createSecretBox({ currentKeyId: undefined, keys: new Map() }),
      poke: scheduler.poke,
    });
    const actor = { subject: 'pg-test', traceId: 'trace-pg', clientIp: '198.51.100.7' };
    const job = await jobs.createJob(
      {
        name: 'pg-roundtrip',
        func: 'app.jobs.heartbeat:hello_job',
        cron: '0 0 1 1 *',
        kwargs: { message: 'pg' },
      },
      actor,
    );
    expect(job.kwargs).toEqual({ message: 'pg', sleep_ms: 0 });
    expect(job.next_run_at).toMatch(/^\d{4}-01-01T00:00:00\.000Z$/);
    const updated = await jobs.updateJob(job.id, { description: 'changed' }, 1, actor);
    expect(updated).toMatchObject({ version: 2, description: 'changed', next_run_at: job.next_run_at });
    const { run } = await jobs.runNow(job.id, actor, 'pg-key');
    const done = await eventually(async () => {
      const current = await jobs.getRun(run.id);
      return current.status === 'succeeded' ? current : undefined;
    });
    expect(done.output).toMatchObject({ message: 'pg', attempt: 1 });
    expect((await jobs.runNow(job.id, actor, 'pg-key')).created).toBe(false);
    const page = await jobs.listRuns({ job_id: job.id, status: 'succeeded' });
    expect(page.items.map((item) => item.id)).toEqual([run.id]);
    const [audit] = await db.query<{ after: { description: string } }>(
      `select after from audit_log where target_id = $1 and action = 'job.update'`,
      [job.id],
    );
    expect(audit!.after.description).toBe('changed');
  });
});
