// A catch-up that fails while the scheduler starts (a deadlock victim, a dropped connection) does not stop
// the start: the scheduler starts, logs the failure, and the next poll records the missed ticks.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '../../../src/db/client.ts';
import type { Scheduler } from '../../../src/scheduler/index.ts';
import { openMigratedPglite } from '../../support/real-servers.ts';
import { createTestScheduler, eventually, insertJob, runsOf } from '../../support/scheduler-harness.ts';

describe('scheduler start when the catch-up fails', () => {
  let db: SqlClient;
  let scheduler: Scheduler;
  let failures = 0;

  beforeAll(async () => {
    db = await openMigratedPglite('start-resilience');
  });
  afterAll(async () => {
    await scheduler?.stop();
    await db.close();
  });

  it('starts, and the next poll records the ticks the failed catch-up left', async () => {
    const jobId = await insertJob(db, {
      func: 'app.jobs.heartbeat:hello_job',
      cron: '*/5 * * * *',
      misfire: 'skip',
      nextRunAt: new Date(Date.now() - 60 * 60_000),
    });
    // The first transaction of the start is the catch-up's: it fails as a deadlock victim would.
    const flaky: SqlClient = {
      ...db,
      transaction: (fn, options) => {
        if (failures++ === 0) {
          return Promise.reject(Object.assign(new Error('deadlock detected'), { code: '40P01' }));
        }
        return db.transaction(fn, options);
      },
    };
    ({ scheduler } = await createTestScheduler(flaky, { pollMs: 100 }));
    await scheduler.start();
    expect(failures).toBeGreaterThanOrEqual(1);
    const missed = await eventually(async () => {
      const rows = (await runsOf(db, jobId)).filter((row) => row.status === 'missed');
      return rows.length > 0 ? rows : undefined;
    });
    expect(missed.length).toBeGreaterThanOrEqual(11);
  });
});
