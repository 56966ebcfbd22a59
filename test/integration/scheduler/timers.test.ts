// The timers are set a few milliseconds early and wait out the rest on the event loop (src/scheduler/timers.ts):
// a tick must still never be claimed before its instant, and every second of an every-second job gets its run.
// PGlite runs in this process, so the database clock and the timers' clock are the same clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '../../../src/db/client.ts';
import {
  createGate,
  createMigratedPglite,
  createTestScheduler,
  eventually,
  insertJob,
  testFunctions,
} from '../../support/scheduler-harness.ts';

const functions = testFunctions(createGate());

describe('timers on PGlite', () => {
  let db: SqlClient;

  beforeAll(async () => {
    db = await createMigratedPglite();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('claims every second of an every-second job, never before the tick', async () => {
    const jobId = await insertJob(db, { cron: '* * * * * *', overlap: 'allow' });
    const { scheduler } = await createTestScheduler(db, { functions });
    await scheduler.start();
    await eventually(async () => {
      const [row] = await db.query<{ n: number }>(
        `select count(*)::int as n from job_runs where job_id = $1 and status = 'succeeded'`,
        [jobId],
      );
      return row!.n >= 4;
    });
    await scheduler.stop();
    const runs = await db.query<{ scheduled_for: Date; early_ms: number; trigger: string }>(
      `select scheduled_for, extract(epoch from (scheduled_for - started_at)) * 1000 as early_ms, trigger
       from job_runs where job_id = $1 and status = 'succeeded' order by scheduled_for`,
      [jobId],
    );
    expect(runs.every((run) => run.trigger === 'schedule')).toBe(true);
    for (const run of runs) expect(Number(run.early_ms)).toBeLessThanOrEqual(0);
    // Consecutive seconds: no tick skipped between the first and the last.
    const seconds = runs.map((run) => run.scheduled_for.getTime() / 1000);
    expect(seconds.at(-1)! - seconds[0]!).toBe(seconds.length - 1);
  });
});
