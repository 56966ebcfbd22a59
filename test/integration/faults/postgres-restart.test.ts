// PostgreSQL goes away while an every-second job is scheduled, and comes back. The scheduler must recover by
// itself within 5 s of the database answering again, re-subscribe its LISTEN, and account for every tick of
// the outage in job_runs (run, caught up, or recorded as missed by the misfire policy): none silently lost.
// A private server, so stopping it disturbs no other suite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresClient, type SqlClient } from '../../../src/db/client.ts';
import { migrateAppDatabase } from '../../../src/db/migrate.ts';
import type { Scheduler } from '../../../src/scheduler/index.ts';
import { findPostgresBinaries, type PostgresServer, startPostgres } from '../../support/postgres-server.ts';
import { createTestScheduler, eventually, insertJob, testConfig } from '../../support/scheduler-harness.ts';

const RECOVERY_LIMIT_MS = 5_000;

type TickRow = {
  scheduled_for: Date | string;
  trigger: string;
  status: string;
  started_at: Date | string | null;
};

describe.skipIf(!findPostgresBinaries())('PostgreSQL restarted under an every-second job', () => {
  let server: PostgresServer;
  let db: SqlClient;
  let observer: SqlClient;
  let scheduler: Scheduler;

  beforeAll(async () => {
    server = await startPostgres();
    db = createPostgresClient({ url: server.url, label: 'faults', max: 4 });
    observer = createPostgresClient({ url: server.url, label: 'observer', max: 1 });
    await migrateAppDatabase(db);
  });
  afterAll(async () => {
    await scheduler?.stop();
    await db?.close();
    await observer?.close();
    await server?.stop();
  });

  const ticksOf = async (jobId: string) =>
    (
      await observer.query<TickRow>(
        `select scheduled_for, trigger, status, started_at from job_runs
         where job_id = $1 and trigger in ('schedule', 'catchup') order by scheduled_for`,
        [jobId],
      )
    ).map((row) => ({ ...row, at: new Date(row.scheduled_for).getTime() }));

  const listening = async () => {
    const [row] = await observer.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where query ilike 'listen%app_scheduler%'`,
    );
    return (row?.n ?? 0) > 0;
  };

  it('recovers within 5 s, re-listens, and records every tick of the outage', async () => {
    const config = testConfig({ SCHEDULER_POLL_MS: '1000' });
    ({ scheduler } = await createTestScheduler(db, {
      config,
      pollMs: 1_000,
      catchupMarginMs: 1_500,
      heartbeatMs: 500,
      leaseMs: 5_000,
    }));
    const jobId = await insertJob(db, {
      func: 'app.jobs.heartbeat:hello_job',
      cron: '* * * * * *',
      kwargs: { message: 'tick' },
      misfire: 'run_once',
      graceSeconds: 0,
      overlap: 'allow',
    });
    await scheduler.start();
    await eventually(async () => (await ticksOf(jobId)).filter((t) => t.status === 'succeeded').length >= 2);
    expect(await listening()).toBe(true);

    await server.pause();
    const downAt = Date.now();
    // Let at least three ticks pass with no database at all.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    await server.start();
    const backAt = Date.now();

    // Recovery: a tick scheduled after the database came back is claimed and run, within the limit.
    await eventually(async () => {
      const ticks = await ticksOf(jobId).catch(() => []);
      return ticks.some((t) => t.at >= backAt && t.status === 'succeeded' && t.trigger === 'schedule');
    }, RECOVERY_LIMIT_MS + 1_000);
    const recovered = (await ticksOf(jobId)).find(
      (t) => t.at >= backAt && t.status === 'succeeded' && t.trigger === 'schedule',
    )!;
    const recoveryMs = new Date(recovered.started_at!).getTime() - backAt;
    console.info(`postgres restart: first tick run ${recoveryMs} ms after the database answered again`);
    expect(recoveryMs).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);

    // The LISTEN connection is back too (NOTIFY reaches this replica again, not only the poll).
    await eventually(listening, RECOVERY_LIMIT_MS);

    // Every second from before the outage to after the recovery has exactly one row.
    const first = Math.ceil((downAt - 2_000) / 1000) * 1000;
    const last = Math.floor((backAt + 2_000) / 1000) * 1000;
    await eventually(async () => {
      const recorded = new Set((await ticksOf(jobId)).map((t) => t.at));
      for (let at = first; at <= last; at += 1000) if (!recorded.has(at)) return false;
      return true;
    }, 10_000);
    const window = (await ticksOf(jobId)).filter((t) => t.at >= first && t.at <= last);
    expect(window.map((t) => t.at)).toEqual(
      Array.from({ length: (last - first) / 1000 + 1 }, (_, i) => first + i * 1000),
    );
    // Outage ticks: run_once runs one catch-up and records the rest as missed; nothing stays unaccounted.
    const outage = window.filter((t) => t.at > downAt && t.at < backAt - 1_000);
    expect(outage.length).toBeGreaterThanOrEqual(2);
    for (const tick of outage) {
      expect(['succeeded', 'missed', 'queued', 'running'], new Date(tick.at).toISOString()).toContain(
        tick.status,
      );
    }
    expect(outage.some((t) => t.status === 'missed')).toBe(true);
    // run_once runs one catch-up per sweep pass; an outage the sweep sees in two passes (the pass right
    // after LISTEN is renewed, then the next poll for the ticks inside the catch-up margin) runs two.
    // Known and documented in docs/operations/guarantees.md.
    expect(outage.filter((t) => t.trigger === 'catchup').length).toBeLessThanOrEqual(2);
  });
});
