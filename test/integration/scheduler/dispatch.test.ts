// An `allow` job's queued runs start in one statement (sql/runs.ts, startAllowedRuns): the job row locked and
// read in it, only rows still queued taken, nothing started for an archived job or one no longer `allow`.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SqlClient } from '../../../src/db/client.ts';
import * as sql from '../../../src/scheduler/sql/index.ts';
import {
  createMigratedPglite,
  emptyAppTables,
  insertJob,
  queueManualRuns,
  runsOf,
} from '../../support/scheduler-harness.ts';

describe('starting the queued runs of an allow job in one statement', () => {
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

  it('starts the runs still queued, in queue order, returns the job and marks it running', async () => {
    const jobId = await insertJob(db, { overlap: 'allow', kwargs: { value: 2 } });
    const ids = await queueManualRuns(db, jobId, 4);
    // One of them was started by another replica already: it is not started again.
    await db.query(`update job_runs set status = 'running', replica_id = 'replica-b' where id = $1`, [
      ids[1],
    ]);
    const started = await sql.startAllowedRuns(db, jobId, ids, 'replica-a', '30 seconds');
    expect(started?.job).toMatchObject({
      id: jobId,
      overlapPolicy: 'allow',
      kwargs: { value: 2 },
      archivedAt: null,
    });
    expect(started?.runs.map((run) => run.id)).toEqual([ids[0], ids[2], ids[3]]);
    expect(started?.runs[0]).toMatchObject({
      jobId,
      status: 'running',
      attempt: 1,
      scheduledFor: expect.any(Date),
    });
    const runs = await runsOf(db, jobId);
    expect(runs.map((run) => [run.status, run.replica_id])).toEqual([
      ['running', 'replica-a'],
      ['running', 'replica-b'],
      ['running', 'replica-a'],
      ['running', 'replica-a'],
    ]);
    const [job] = await db.query<{ status: string }>('select status from scheduled_jobs where id = $1', [
      jobId,
    ]);
    expect(job!.status).toBe('running');
  });

  it('starts nothing for a job that is no longer allow, and says so through the job it returns', async () => {
    const jobId = await insertJob(db, { overlap: 'queue_one' });
    const ids = await queueManualRuns(db, jobId, 2);
    const started = await sql.startAllowedRuns(db, jobId, ids, 'replica-a', '30 seconds');
    expect(started?.job.overlapPolicy).toBe('queue_one');
    expect(started?.runs).toEqual([]);
    expect((await runsOf(db, jobId)).map((run) => run.status)).toEqual(['queued', 'queued']);
    const [job] = await db.query<{ status: string }>('select status from scheduled_jobs where id = $1', [
      jobId,
    ]);
    expect(job!.status).toBe('idle');
  });

  it('starts nothing for an archived job', async () => {
    const jobId = await insertJob(db, { overlap: 'allow' });
    const ids = await queueManualRuns(db, jobId, 2);
    await db.query('update scheduled_jobs set archived_at = now(), enabled = false where id = $1', [jobId]);
    expect(await sql.startAllowedRuns(db, jobId, ids, 'replica-a', '30 seconds')).toBeUndefined();
    expect((await runsOf(db, jobId)).map((run) => run.status)).toEqual(['queued', 'queued']);
  });
});
