// The engine on PGlite: claims, overlap, retries, timeouts, leases, misfires, unregistered rows, shutdown.
// Ticks are passed in explicitly, so nothing here depends on the wall clock. One migrated PGlite serves the
// file; each test gets it emptied and a scheduler of its own.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SqlClient } from '../../../src/db/client.ts';
import { createJobsService } from '../../../src/features/jobs/jobs.service.ts';
import { createJobRegistry } from '../../../src/job-functions/registry.ts';
import type { Scheduler } from '../../../src/scheduler/index.ts';
import { createSecretBox } from '../../../src/secrets/secret-box.ts';
import {
  createGate,
  createMigratedPglite,
  createTestScheduler,
  emptyAppTables,
  eventually,
  insertJob,
  runsOf,
  testFunctions,
} from '../../support/scheduler-harness.ts';

const minute = (iso: string) => new Date(iso);

describe('scheduler engine on PGlite', () => {
  let db: SqlClient;
  let scheduler: Scheduler;
  let gate: ReturnType<typeof createGate>;

  beforeAll(async () => {
    db = await createMigratedPglite();
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await emptyAppTables(db);
    gate = createGate();
    ({ scheduler } = await createTestScheduler(db, { functions: testFunctions(gate) }));
  });
  afterEach(async () => {
    gate.open();
    // Nothing of this test's scheduler may act on the next test's rows (stop() of a never-started one only
    // waits for its runs).
    await scheduler.stop();
    await scheduler.idle();
  });

  it('claims a tick once: the second claim of the same tick loses and the winner records the outcome', async () => {
    const tick = minute('2026-01-01T10:00:00Z');
    const jobId = await insertJob(db, { kwargs: { value: 7 }, nextRunAt: tick });
    expect(await scheduler.claimTick(jobId, tick)).toBe('running');
    expect(await scheduler.claimTick(jobId, tick)).toBe('lost');
    await scheduler.idle();
    const runs = await runsOf(db, jobId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: 'succeeded',
      trigger: 'schedule',
      attempt: 1,
      replica_id: 'replica-a',
    });
    expect(runs[0]!.output).toEqual({ value: 7, attempt: 1 });
    const [job] = await db.query<{ status: string; next_run_at: Date; last_run_at: Date | null }>(
      'select status, next_run_at, last_run_at from scheduled_jobs where id = $1',
      [jobId],
    );
    expect(job!.status).toBe('succeeded');
    expect(job!.next_run_at.toISOString()).toBe('2026-01-01T10:01:00.000Z');
    expect(job!.last_run_at).not.toBeNull();
  });

  it('ignores ticks of an older cron and of disabled or archived jobs', async () => {
    const jobId = await insertJob(db, { cron: '0 * * * *' });
    expect(await scheduler.claimTick(jobId, minute('2026-01-01T10:30:00Z'))).toBe('stale');
    await db.query('update scheduled_jobs set enabled = false where id = $1', [jobId]);
    expect(await scheduler.claimTick(jobId, minute('2026-01-01T11:00:00Z'))).toBe('inactive');
    await db.query('update scheduled_jobs set enabled = true, archived_at = now() where id = $1', [jobId]);
    expect(await scheduler.claimTick(jobId, minute('2026-01-01T11:00:00Z'))).toBe('inactive');
    expect(await runsOf(db, jobId)).toHaveLength(0);
  });

  it('overlap skip records a skipped row while a run is still going', async () => {
    const jobId = await insertJob(db, { func: 'test.jobs:gate', overlap: 'skip' });
    expect(await scheduler.claimTick(jobId, minute('2026-01-01T10:00:00Z'))).toBe('running');
    expect(await scheduler.claimTick(jobId, minute('2026-01-01T10:01:00Z'))).toBe('skipped');
    gate.open();
    await scheduler.idle();
    expect((await runsOf(db, jobId)).map((run) => run.status)).toEqual(['succeeded', 'skipped']);
  });

  it('overlap queue_one queues one tick, skips the rest, and runs the queued one after', async () => {
    const jobId = await insertJob(db, { func: 'test.jobs:gate', overlap: 'queue_one' });
    expect(await scheduler.claimTick(jobId, minute('2026-01-01T10:00:00Z'))).toBe('running');
    expect(await scheduler.claimTick(jobId, minute('2026-01-01T10:01:00Z'))).toBe('queued');
    expect(await scheduler.claimTick(jobId, minute('2026-01-01T10:02:00Z'))).toBe('skipped');
    expect(await scheduler.dispatchQueued()).toBe(0); // still one running
    gate.open();
    await scheduler.idle();
    expect((await runsOf(db, jobId)).map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'skipped']);
  });

  it('overlap allow runs ticks side by side', async () => {
    const jobId = await insertJob(db, { func: 'test.jobs:gate', overlap: 'allow' });
    expect(await scheduler.claimTick(jobId, minute('2026-01-01T10:00:00Z'))).toBe('running');
    expect(await scheduler.claimTick(jobId, minute('2026-01-01T10:01:00Z'))).toBe('running');
    expect(scheduler.stats().running).toBe(2);
  });

  it('dispatches queued runs of a job together: an allow job up to capacity, a queue_one job one at a time', async () => {
    const queue = (jobId: string, n: number) =>
      db.query(
        `insert into job_runs (job_id, scheduled_for, trigger, status, not_before)
         select $1, now() + make_interval(secs => g), 'manual', 'queued', now() from generate_series(1, $2) g`,
        [jobId, n],
      );
    const statuses = async (jobId: string) =>
      (await runsOf(db, jobId)).map((run) => run.status).sort((a, b) => a.localeCompare(b));
    const allowJob = await insertJob(db, { func: 'test.jobs:gate', overlap: 'allow' });
    const oneJob = await insertJob(db, { func: 'test.jobs:gate', overlap: 'queue_one' });
    await queue(allowJob, 3);
    await queue(oneJob, 3);
    const { scheduler: small } = await createTestScheduler(db, {
      functions: testFunctions(gate),
      replicaId: 'replica-b',
      maxConcurrentRuns: 3,
    });
    const other = await createTestScheduler(db, { functions: testFunctions(gate), replicaId: 'replica-c' });
    // Two replicas dispatch at once: each queued run starts exactly once, within each one's capacity.
    const [a, c] = await Promise.all([small.dispatchQueued(), other.scheduler.dispatchQueued()]);
    expect(a).toBeLessThanOrEqual(3);
    expect(a + c).toBe(4);
    expect(await statuses(allowJob)).toEqual(['running', 'running', 'running']);
    expect(await statuses(oneJob)).toEqual(['queued', 'queued', 'running']);
    expect(small.stats().running + other.scheduler.stats().running).toBe(4);
    gate.open();
    await eventually(async () => (await statuses(allowJob)).every((status) => status === 'succeeded'));
    await Promise.all([small.stop(), other.scheduler.stop()]);
  });

  it('retries a failing run with backoff rows, then marks it dead', async () => {
    const jobId = await insertJob(db, { func: 'test.jobs:fail', maxRetries: 2, backoffSeconds: 0 });
    await scheduler.claimTick(jobId, minute('2026-01-01T10:00:00Z'));
    await scheduler.idle();
    const runs = await runsOf(db, jobId);
    expect(runs.map((run) => [run.attempt, run.trigger, run.status])).toEqual([
      [1, 'schedule', 'failed'],
      [2, 'retry', 'failed'],
      [3, 'retry', 'dead'],
    ]);
    expect(runs[1]!.retry_of).toBe(runs[0]!.id);
    expect(runs[2]!.error?.message).toBe('failure on attempt 3');
    const [job] = await db.query<{ status: string }>('select status from scheduled_jobs where id = $1', [
      jobId,
    ]);
    expect(job!.status).toBe('dead');
  });

  it('a retry that succeeds ends the chain', async () => {
    const jobId = await insertJob(db, { func: 'test.jobs:fail', kwargs: { failures: 1 }, maxRetries: 3 });
    await scheduler.claimTick(jobId, minute('2026-01-01T10:00:00Z'));
    await scheduler.idle();
    expect((await runsOf(db, jobId)).map((run) => run.status)).toEqual(['failed', 'succeeded']);
  });

  it('times a run out through its AbortSignal even when the function ignores it', async () => {
    const jobId = await insertJob(db, { func: 'test.jobs:hang', timeoutSeconds: 1 });
    await scheduler.claimTick(jobId, minute('2026-01-01T10:00:00Z'));
    await scheduler.idle();
    const [run] = await runsOf(db, jobId);
    expect(run!.status).toBe('dead'); // no retries left
    expect(run!.error).toMatchObject({ code: 'timed_out', message: 'timed out after 1 s' });
  });

  it('marks a run whose lease expired (crashed replica) and queues its retry', async () => {
    const jobId = await insertJob(db, { maxRetries: 1 });
    await db.query(
      `insert into job_runs (job_id, scheduled_for, trigger, status, attempt, replica_id, started_at, lease_expires_at)
       values ($1, '2026-01-01T10:00:00Z', 'schedule', 'running', 1, 'crashed-replica', now(), now() - interval '1 second')`,
      [jobId],
    );
    expect(await scheduler.sweepExpiredLeases()).toBe(1);
    expect(await scheduler.sweepExpiredLeases()).toBe(0);
    await scheduler.idle();
    const runs = await runsOf(db, jobId);
    expect(runs.map((run) => [run.attempt, run.status, run.replica_id])).toEqual([
      [1, 'failed', 'crashed-replica'],
      [2, 'succeeded', 'replica-a'],
    ]);
    expect(runs[0]!.error?.code).toBe('lease_expired');
  });

  it.each([
    ['skip', 10, ['missed', 'missed', 'missed', 'missed', 'missed']],
    ['run_once', 10, ['missed', 'missed', 'missed', 'missed', 'catchup']],
    ['run_all', 2, ['missed', 'missed', 'missed', 'catchup', 'catchup']],
  ] as const)(
    'misfire %s (cap %i): every missed tick becomes exactly one row by policy',
    async (policy, cap, expected) => {
      const now = minute('2026-01-01T10:05:30Z');
      const jobId = await insertJob(db, {
        misfire: policy,
        maxCatchup: cap,
        graceSeconds: 0,
        nextRunAt: minute('2026-01-01T10:01:00Z'),
      });
      await scheduler.catchUp(now, 0);
      await scheduler.idle();
      const runs = await runsOf(db, jobId);
      expect(runs.map((run) => run.scheduled_for.toISOString())).toEqual([
        '2026-01-01T10:01:00.000Z',
        '2026-01-01T10:02:00.000Z',
        '2026-01-01T10:03:00.000Z',
        '2026-01-01T10:04:00.000Z',
        '2026-01-01T10:05:00.000Z',
      ]);
      expect(runs.map((run) => (run.trigger === 'catchup' ? 'catchup' : run.status))).toEqual(expected);
      for (const run of runs.filter((r) => r.trigger === 'catchup')) expect(run.status).toBe('succeeded');
      const [job] = await db.query<{ next_run_at: Date }>(
        'select next_run_at from scheduled_jobs where id = $1',
        [jobId],
      );
      expect(job!.next_run_at.toISOString()).toBe('2026-01-01T10:06:00.000Z');
      // A second pass finds nothing left to do.
      expect(await scheduler.catchUp(now, 0)).toBe(0);
    },
  );

  it('ticks late by less than the grace period run even under misfire skip', async () => {
    const jobId = await insertJob(db, {
      misfire: 'skip',
      graceSeconds: 90,
      nextRunAt: minute('2026-01-01T10:01:00Z'),
    });
    await scheduler.catchUp(minute('2026-01-01T10:03:30Z'), 0);
    await scheduler.idle();
    expect((await runsOf(db, jobId)).map((run) => [run.trigger, run.status])).toEqual([
      ['schedule', 'missed'],
      ['catchup', 'succeeded'],
      ['catchup', 'succeeded'],
    ]);
  });

  it('a live claim does not move next_run_at past an unrecorded tick, so the sweep still finds it', async () => {
    const jobId = await insertJob(db, { misfire: 'skip', nextRunAt: minute('2026-01-01T10:01:00Z') });
    expect(await scheduler.claimTick(jobId, minute('2026-01-01T10:02:00Z'))).toBe('running');
    await scheduler.idle();
    await scheduler.catchUp(minute('2026-01-01T10:02:30Z'), 0);
    expect((await runsOf(db, jobId)).map((run) => run.status)).toEqual(['missed', 'succeeded']);
  });

  it('pausing and resuming through the service never bursts the ticks inside the pause', async () => {
    let clock = new Date('2026-01-01T10:00:30Z');
    const jobs = createJobsService({
      db,
      registry: createJobRegistry(),
      secrets: createSecretBox({ currentKeyId: undefined, keys: new Map() }),
      now: () => clock,
    });
    const actor = { subject: 'tester' };
    const job = await jobs.createJob(
      { name: 'paused', func: 'app.jobs.heartbeat:hello_job', cron: '* * * * *', misfire_policy: 'run_all' },
      actor,
    );
    expect(job.next_run_at).toBe('2026-01-01T10:01:00.000Z');
    await jobs.setEnabled(job.id, false, actor);
    clock = new Date('2026-01-01T11:00:30Z'); // an hour later: 60 ticks fell inside the pause
    const resumed = await jobs.setEnabled(job.id, true, actor);
    expect(resumed.next_run_at).toBe('2026-01-01T11:01:00.000Z');
    expect(await scheduler.catchUp(new Date('2026-01-01T11:00:59Z'), 0)).toBe(0);
    expect(await runsOf(db, job.id)).toHaveLength(0);
  });

  it('a poke reaches only a started scheduler: one built but never started leaves a queued run queued', async () => {
    const built = await createTestScheduler(db, { functions: testFunctions(gate) });
    const jobs = createJobsService({
      db,
      registry: built.registry,
      poke: built.scheduler.poke,
      secrets: createSecretBox({ currentKeyId: undefined, keys: new Map() }),
    });
    const jobId = await insertJob(db, { kwargs: { value: 1 } });
    const { run } = await jobs.runNow(jobId, { subject: 'tester' });
    await built.scheduler.idle();
    expect((await runsOf(db, jobId)).map((row) => row.status)).toEqual(['queued']);
    // The same run is dispatched once a scheduler is asked to (the engine itself is not at fault).
    expect(await built.scheduler.dispatchQueued()).toBe(1);
    await built.scheduler.idle();
    expect(await runsOf(db, jobId)).toMatchObject([{ id: run.id, status: 'succeeded' }]);
  });

  it('shows a row whose function this build lacks as unregistered and never arms it', async () => {
    const jobId = await insertJob(db, { func: 'gone.module:vanished' });
    await scheduler.reloadAll();
    const [job] = await db.query<{ status: string }>('select status from scheduled_jobs where id = $1', [
      jobId,
    ]);
    expect(job!.status).toBe('unregistered');
    expect(scheduler.nextTickOf(jobId)).toBeUndefined();
    expect(await scheduler.claimTick(jobId, minute('2026-01-01T10:00:00Z'))).toBe('inactive');
  });

  it('on shutdown waits for running jobs up to the timeout, then aborts and marks them', async () => {
    const { scheduler: short } = await createTestScheduler(db, {
      functions: testFunctions(gate),
      shutdownTimeoutMs: 200,
      replicaId: 'replica-b',
    });
    await short.start();
    const jobId = await insertJob(db, { func: 'test.jobs:hang', enabled: true });
    expect(await short.claimTick(jobId, minute('2026-01-01T10:00:00Z'))).toBe('running');
    await short.stop();
    const [run] = await runsOf(db, jobId);
    expect(run).toMatchObject({ status: 'dead', replica_id: 'replica-b' });
    expect(run!.error?.code).toBe('aborted_on_shutdown');
    expect(short.stats()).toEqual({ armed: 0, running: 0 });
  });

  it('hot reload: a NOTIFY re-arms a job with its new cron; disabling disarms it', async () => {
    await scheduler.start();
    try {
      const jobId = await insertJob(db, { cron: '0 0 1 1 *' });
      await db.query(`select pg_notify('app_scheduler', $1)`, [`job:${jobId}`]);
      await eventually(async () => scheduler.nextTickOf(jobId));
      expect(scheduler.nextTickOf(jobId)!.getUTCMonth()).toBe(0);
      await db.query(`update scheduled_jobs set cron = '0 0 1 6 *', version = version + 1 where id = $1`, [
        jobId,
      ]);
      await db.query(`select pg_notify('app_scheduler', $1)`, [`job:${jobId}`]);
      await eventually(async () => scheduler.nextTickOf(jobId)?.getUTCMonth() === 5);
      await db.query('update scheduled_jobs set enabled = false where id = $1', [jobId]);
      await db.query(`select pg_notify('app_scheduler', $1)`, [`job:${jobId}`]);
      await eventually(async () => scheduler.nextTickOf(jobId) === undefined);
    } finally {
      await scheduler.stop();
    }
  });
});
