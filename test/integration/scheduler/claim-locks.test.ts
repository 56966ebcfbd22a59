// On real PostgreSQL: the engine's job lock and a claim of the same tick from another replica never deadlock.
// Replicas starting together see different horizons, so one may record tick T as missed (holding the job lock)
// while another claims T from its timer. The claim's foreign-key check must not wait on that lock.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresClient, type SqlClient } from '../../../src/db/client.ts';
import * as sql from '../../../src/scheduler/sql/index.ts';
import { createMigratedTestDatabase, realPostgresUrl } from '../../support/real-servers.ts';
import { eventually, insertJob } from '../../support/scheduler-harness.ts';

describe.skipIf(!realPostgresUrl())('job lock and tick claims on real PostgreSQL', () => {
  let catchUp: SqlClient;
  let claimer: SqlClient;
  let observer: SqlClient;

  beforeAll(async () => {
    const url = await createMigratedTestDatabase('claimlocks');
    catchUp = createPostgresClient({ url, label: 'catch-up replica', max: 1 });
    claimer = createPostgresClient({ url, label: 'claiming replica', max: 1 });
    observer = createPostgresClient({ url, label: 'observer', max: 1 });
  });
  afterAll(async () => {
    await Promise.all([catchUp.close(), claimer.close(), observer.close()]);
  });

  it('a catch-up holding the job lock and a claim of the same tick both finish, with one row for the tick', async () => {
    const jobId = await insertJob(observer, { cron: '* * * * *' });
    const tick = new Date(Date.UTC(2026, 0, 1, 0, 0, 0));
    const outcome = await catchUp.transaction(async (tx) => {
      const job = await sql.lockJob(tx, jobId);
      expect(job?.id).toBe(jobId);
      // The other replica claims T now: it either finishes or waits on a lock this transaction holds.
      let claimSettled = false;
      const claim = sql.insertClaims(claimer, [{ jobId, tick }], 'replica-b', '60 seconds').finally(() => {
        claimSettled = true;
      });
      await eventually(async () => {
        if (claimSettled) return true;
        const waiting = await observer.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`,
        );
        return waiting[0]!.n > 0 ? true : undefined;
      });
      // Then this replica records T as missed, as a catch-up with a later horizon would.
      const inserted = await sql.insertMissedTick(tx, {
        jobId,
        scheduledFor: tick,
        runIt: false,
        note: 'missed (test)',
      });
      return { inserted, claimed: await claim };
    });
    expect(outcome.claimed).toHaveLength(1);
    expect(outcome.claimed[0]!.run).toBeDefined();
    expect(outcome.inserted).toBe(0);
    const rows = await observer.query<{ status: string }>(
      'select status from job_runs where job_id = $1 and scheduled_for = $2',
      [jobId, tick.toISOString()],
    );
    expect(rows.map((row) => row.status)).toEqual(['running']);
  });

  it('two replicas claiming the same ticks of many jobs in opposite orders both finish', async () => {
    const ids = await Promise.all(
      Array.from({ length: 12 }, () => insertJob(observer, { cron: '* * * * *' })),
    );
    const tick = new Date(Date.UTC(2026, 0, 1, 0, 1, 0));
    const forward = ids.map((jobId) => ({ jobId, tick }));
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, round) =>
        Promise.all([
          sql.insertClaims(catchUp, forward, 'replica-a', '60 seconds'),
          sql.insertClaims(claimer, [...forward].reverse(), 'replica-b', '60 seconds'),
        ]).then(([a, b]) => ({ round, a, b })),
      ),
    );
    for (const { a, b } of results) {
      expect(a).toHaveLength(ids.length);
      expect(b).toHaveLength(ids.length);
    }
    const [count] = await observer.query<{ n: number }>(
      'select count(*)::int as n from job_runs where job_id = any($1::uuid[]) and scheduled_for = $2',
      [ids, tick.toISOString()],
    );
    expect(count!.n).toBe(ids.length);
  });
});
