// Run successes are written behind, in batches (src/scheduler/write-behind.ts, settle.ts): runs that finish
// together share one statement, a failed write is retried, stop() waits for the writes, a write that keeps
// failing leaves the run to the lease sweep, and batches of two replicas over the same jobs never deadlock.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresClient, type SqlClient } from '../../../src/db/client.ts';
import * as sql from '../../../src/scheduler/sql/index.ts';
import { createMigratedTestDatabase, realPostgresUrl } from '../../support/real-servers.ts';
import {
  createGate,
  createMigratedPglite,
  createTestScheduler,
  emptyAppTables,
  eventually,
  insertJob,
  queueManualRuns,
  runsOf,
  testFunctions,
} from '../../support/scheduler-harness.ts';

/** The batched success statement (sql/runs.ts, recordSuccesses). */
const isSuccessWrite = (text: string) => text.includes('with done as');

/** The client with every success write passed through `before` first (which may wait or throw). */
function interceptSuccessWrites(db: SqlClient, before: (call: number) => Promise<void> | void) {
  let calls = 0;
  const wrapped: SqlClient = {
    ...db,
    query: async (text, params, options) => {
      if (isSuccessWrite(text)) await before(++calls);
      return db.query(text, params, options);
    },
  };
  return { db: wrapped, calls: () => calls };
}

/** The registry's test functions (test.jobs:ok is the one used here). */
const functions = testFunctions(createGate());

const statuses = async (db: SqlClient, jobId: string) => (await runsOf(db, jobId)).map((run) => run.status);

describe('run successes written behind, on PGlite', () => {
  let db: SqlClient;

  beforeAll(async () => {
    db = await createMigratedPglite();
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await emptyAppTables(db);
  });

  it('records the successes of runs that finish together in one statement, output intact', async () => {
    const output = { value: 3 };
    const jobId = await insertJob(db, { overlap: 'allow', kwargs: output });
    await queueManualRuns(db, jobId, 10);
    const spy = interceptSuccessWrites(db, () => {});
    const { scheduler } = await createTestScheduler(spy.db, { maxConcurrentRuns: 10, functions });
    expect(await scheduler.dispatchQueued()).toBe(10);
    await scheduler.idle();
    const runs = await runsOf(db, jobId);
    expect(runs.map((run) => run.status)).toEqual(Array(10).fill('succeeded'));
    expect(runs.map((run) => run.output)).toEqual(Array(10).fill({ value: 3, attempt: 1 }));
    expect(spy.calls()).toBe(1);
    const [job] = await db.query<{ status: string; last_success_at: Date | null }>(
      'select status, last_success_at from scheduled_jobs where id = $1',
      [jobId],
    );
    expect(job).toMatchObject({ status: 'succeeded', last_success_at: expect.any(Date) });
  });

  it('retries a failed success write: the run is recorded once, as succeeded', async () => {
    const jobId = await insertJob(db, { overlap: 'allow' });
    await queueManualRuns(db, jobId, 2);
    const spy = interceptSuccessWrites(db, (call) => {
      if (call === 1) throw new Error('connection reset (test)');
    });
    const { scheduler } = await createTestScheduler(spy.db, { functions });
    const finished: string[] = [];
    scheduler.events.on('run:finished', (event: { status: string }) => finished.push(event.status));
    await scheduler.dispatchQueued();
    await scheduler.idle();
    expect(await statuses(db, jobId)).toEqual(['succeeded', 'succeeded']);
    expect(spy.calls()).toBe(2);
    expect(finished).toEqual(['succeeded', 'succeeded']);
  });

  it('stop() waits for success writes still pending', async () => {
    // Disabled: no timer fires during the test; manual runs still run.
    const jobId = await insertJob(db, { overlap: 'allow', enabled: false });
    await queueManualRuns(db, jobId, 3);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let writesHeld = 0;
    const spy = interceptSuccessWrites(db, async () => {
      writesHeld++;
      await held;
    });
    const { scheduler } = await createTestScheduler(spy.db, { functions });
    await scheduler.start();
    // start() dispatches the queued runs; they finish at once and their write is held.
    await eventually(async () => writesHeld > 0);
    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    expect(await statuses(db, jobId)).toEqual(['running', 'running', 'running']);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await statuses(db, jobId)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(writesHeld).toBe(1);
  });

  it('a success write that keeps failing leaves the run running with its lease, for the sweep to recover', async () => {
    const jobId = await insertJob(db, { maxRetries: 1 });
    await queueManualRuns(db, jobId, 1);
    const spy = interceptSuccessWrites(db, () => {
      throw new Error('database unreachable (test)');
    });
    const { scheduler } = await createTestScheduler(spy.db, { functions });
    await scheduler.dispatchQueued();
    await scheduler.idle();
    expect(spy.calls()).toBe(5);
    const [run] = await db.query<{ status: string; lease_expires_at: Date | null }>(
      'select status, lease_expires_at from job_runs where job_id = $1',
      [jobId],
    );
    expect(run).toMatchObject({ status: 'running', lease_expires_at: expect.any(Date) });
    // The lease runs out (no heartbeat renews it any more): any replica's sweep fails it and queues the retry.
    await db.query(`update job_runs set lease_expires_at = now() - interval '1 second' where job_id = $1`, [
      jobId,
    ]);
    const { scheduler: other } = await createTestScheduler(db, { replicaId: 'replica-b', functions });
    expect(await other.sweepExpiredLeases()).toBe(1);
    await other.idle();
    const runs = await runsOf(db, jobId);
    expect(runs.map((r) => [r.attempt, r.status, r.error?.code ?? null])).toEqual([
      [1, 'failed', 'lease_expired'],
      [2, 'succeeded', null],
    ]);
  });
});

describe.skipIf(!realPostgresUrl())('success batches of two replicas on real PostgreSQL', () => {
  let a: SqlClient;
  let b: SqlClient;

  beforeAll(async () => {
    const url = await createMigratedTestDatabase('successbatches');
    a = createPostgresClient({ url, label: 'replica a', max: 2 });
    b = createPostgresClient({ url, label: 'replica b', max: 2 });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('record every run of the jobs they share, in opposite orders, without a deadlock; only owned runs count', async () => {
    const jobs = await Promise.all(Array.from({ length: 8 }, () => insertJob(a, { overlap: 'allow' })));
    // Each replica owns 5 running runs of every job.
    const own = async (replicaId: string) =>
      (
        await a.query<{ id: string }>(
          `insert into job_runs (job_id, scheduled_for, trigger, status, replica_id, started_at, lease_expires_at)
           select j, now() + make_interval(secs => g), 'manual', 'running', $2, now(), now() + interval '1 minute'
           from unnest($1::uuid[]) j, generate_series(1, 5) g returning id::text`,
          [jobs, replicaId],
        )
      ).map((row) => row.id);
    const ofA = await own('replica-a');
    const ofB = await own('replica-b');
    const outcome = (runId: string) => ({
      runId,
      durationMs: 1,
      output: { text: 'a "quoted", {braced} \\ line' },
    });
    const [recordedA, recordedB, foreign] = await Promise.all([
      sql.recordSuccesses(a, 'replica-a', ofA.map(outcome)),
      sql.recordSuccesses(b, 'replica-b', [...ofB].reverse().map(outcome)),
      // A run another replica owns is not this replica's to record.
      sql.recordSuccesses(b, 'replica-b', [outcome(ofA[0]!)]),
    ]);
    expect(recordedA.size).toBe(ofA.length);
    expect(foreign.size).toBe(0);
    expect(recordedB.size).toBe(ofB.length);
    const rows = await a.query<{ status: string; n: number; output: unknown }>(
      `select status, count(*)::int as n, min(output::text)::jsonb as output from job_runs
       where job_id = any($1::uuid[]) group by status`,
      [jobs],
    );
    expect(rows).toEqual([{ status: 'succeeded', n: 80, output: { text: 'a "quoted", {braced} \\ line' } }]);
    const jobRows = await a.query<{ status: string }>(
      'select distinct status from scheduled_jobs where id = any($1::uuid[])',
      [jobs],
    );
    expect(jobRows).toEqual([{ status: 'succeeded' }]);
  });
});
