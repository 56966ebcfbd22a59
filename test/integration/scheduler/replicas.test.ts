// Three real origin processes (src/entry/node.ts) on one real PostgreSQL: exactly one run per tick with no
// gaps, a cron change through one replica's API in effect on the others within 1 s, stopped replicas and the misfire policy,
// and a kill -9 of the replica running a long job. Assertions read committed rows, not the wall clock.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresClient, type SqlClient } from '../../../src/db/client.ts';
import { createJobsService, type JobsService } from '../../../src/features/jobs/jobs.service.ts';
import { createJobRegistry } from '../../../src/job-functions/registry.ts';
import { asDate } from '../../../src/scheduler/index.ts';
import { createSecretBox } from '../../../src/secrets/secret-box.ts';
import { type RunningOrigin, startOrigin } from '../../support/origin-process.ts';
import { createMigratedTestDatabase, realPostgresUrl } from '../../support/real-servers.ts';
import { eventually } from '../../support/scheduler-harness.ts';

const actor = { subject: 'replica-test' };
const SECOND = 1000;

type RunRow = {
  id: string;
  scheduled_for: Date;
  trigger: string;
  status: string;
  attempt: number;
  replica_id: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  heartbeat_at: Date | null;
  created_at: Date;
  error: { code?: string } | null;
};

/** postgres.js returns timestamptz as text here. */
const withDates = (row: RunRow): RunRow => ({
  ...row,
  scheduled_for: asDate(row.scheduled_for)!,
  started_at: asDate(row.started_at),
  finished_at: asDate(row.finished_at),
  heartbeat_at: asDate(row.heartbeat_at),
  created_at: asDate(row.created_at)!,
});

describe.skipIf(!realPostgresUrl())('three origin replicas on one PostgreSQL', () => {
  let url: string;
  let db: SqlClient;
  let jobs: JobsService;
  let replicas: RunningOrigin[] = [];

  const replicaEnv = () => ({
    DB_APP_URL: url,
    DB_LEGACY_URL: url,
    DB_POOL_MAX: '4',
    DB_LEGACY_POOL_MAX: '1',
    SCHEDULER_LEASE_MS: '3000',
    SCHEDULER_HEARTBEAT_MS: '500',
    SCHEDULER_POLL_MS: '500',
    SHUTDOWN_TIMEOUT_MS: '1500',
  });
  const startReplicas = async () => {
    replicas = await Promise.all([0, 1, 2].map(() => startOrigin(replicaEnv())));
  };
  const stopReplicas = async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
  };
  const runsOf = async (jobId: string) =>
    (
      await db.query<RunRow>(
        `select id, scheduled_for, trigger, status, attempt, replica_id, started_at, finished_at, heartbeat_at, created_at, error
         from job_runs where job_id = $1 order by scheduled_for, attempt`,
        [jobId],
      )
    ).map(withDates);
  const everySecond = (name: string, extra: Record<string, unknown> = {}) =>
    jobs.createJob(
      {
        name,
        func: 'app.jobs.heartbeat:hello_job',
        cron: '* * * * * *',
        overlap_policy: 'allow',
        misfire_grace_seconds: 0,
        ...extra,
      },
      actor,
    );
  const settledRuns = async (jobId: string, untilTick: Date) =>
    eventually(async () => {
      const runs = await runsOf(jobId);
      const done = runs.filter((run) => run.scheduled_for.getTime() <= untilTick.getTime());
      const last = runs.at(-1);
      return last &&
        last.scheduled_for.getTime() >= untilTick.getTime() &&
        done.every((run) => !['running', 'queued'].includes(run.status))
        ? done
        : undefined;
    }, 40_000);

  beforeAll(async () => {
    url = await createMigratedTestDatabase('replicas');
    db = createPostgresClient({ url, label: 'replica-test', max: 4 });
    jobs = createJobsService({
      db,
      registry: createJobRegistry(),
      secrets: createSecretBox({ currentKeyId: undefined, keys: new Map() }),
    });
    await startReplicas();
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.kill9()));
    await db?.close();
  });

  it('an every-second job for more than 10 s: exactly one run per tick, no gaps', async () => {
    // The default grace: a timer delayed past the sweep margin on a loaded machine still runs (as catch-up).
    const job = await everySecond('every-second', { misfire_grace_seconds: 60 });
    const firstTick = new Date(Math.ceil((Date.now() + 2 * SECOND) / SECOND) * SECOND);
    const lastTick = new Date(firstTick.getTime() + 11 * SECOND);
    const runs = (await settledRuns(job.id, lastTick)).filter((run) => run.scheduled_for >= firstTick);
    await jobs.setEnabled(job.id, false, actor);

    const ticks = runs.map((run) => run.scheduled_for.getTime());
    const expected = Array.from({ length: 12 }, (_, i) => firstTick.getTime() + i * SECOND);
    expect(ticks).toEqual(expected); // one row per tick, none missing, none doubled
    for (const run of runs) expect(run).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(runs.filter((run) => run.trigger === 'schedule').length).toBeGreaterThanOrEqual(10);
    const winners = new Set(runs.map((run) => run.replica_id));
    for (const winner of winners) expect(replicas.map((replica) => replica.replicaId)).toContain(winner);
  });

  it("a cron change made through one replica's API is in effect on the others within 1 s", async () => {
    const job = await jobs.createJob(
      {
        name: 'rescheduled',
        func: 'app.jobs.heartbeat:hello_job',
        cron: '0 0 1 1 *',
        misfire_grace_seconds: 0,
      },
      actor,
    );
    const [through, ...others] = replicas as [RunningOrigin, ...RunningOrigin[]];
    const base = `http://127.0.0.1:${through.port}/api/v1`;
    // The replicas run with the local defaults: the bootstrap admin is admin/admin123.
    const login = await fetch(`${base}/auth/token`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'admin', password: 'admin123' }),
    });
    expect(login.status).toBe(200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    const patched = await fetch(`${base}/jobs/${job.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ cron: '* * * * * *', overlap_policy: 'allow', version: job.version }),
    });
    expect(patched.status).toBe(200);
    const changed = (await patched.json()) as { updated_at: string; next_run_at: string };
    // From here on only the other replicas can claim: the replica that took the change stops.
    await through.stop();
    const stoppedAt = Date.now();
    const changedAt = new Date(changed.updated_at);
    const firstTick = new Date(changed.next_run_at);
    const lastTick = new Date(Math.max(firstTick.getTime(), stoppedAt) + 2 * SECOND);
    const runs = await settledRuns(job.id, lastTick);
    await jobs.setEnabled(job.id, false, actor);
    replicas[0] = await startOrigin(replicaEnv());

    // The first tick after the change is at most 1 s after its commit and has its run; every second from it
    // on has exactly one run (no tick lost, none twice).
    expect(firstTick.getTime() - changedAt.getTime()).toBeLessThanOrEqual(SECOND);
    expect(runs[0]!.scheduled_for.getTime()).toBe(firstTick.getTime());
    const seconds = runs.map((run) => run.scheduled_for.getTime());
    expect(seconds).toEqual(seconds.map((_, i) => firstTick.getTime() + i * SECOND));
    // Ticks after the changing replica left were claimed by the others, on the new schedule, and their timers
    // (armed from the change notification, not the catch-up sweep) claimed them. The sweep takes only ticks more
    // than 2 s overdue, so a replica starved of CPU that long (one core busy, Chromium beside it) may leave one
    // tick to it; every tick going that way would mean the others never armed the new cron.
    const afterStop = runs.filter((run) => run.scheduled_for.getTime() > stoppedAt);
    expect(afterStop.length).toBeGreaterThanOrEqual(2);
    for (const run of afterStop) expect(others.map((replica) => replica.replicaId)).toContain(run.replica_id);
    const byTimer = (run: (typeof runs)[number]) => run.trigger === 'schedule' && run.status !== 'missed';
    expect(afterStop.filter(byTimer).length).toBeGreaterThanOrEqual(afterStop.length - 1);
  });

  it('all replicas stopped across at least three ticks, then restarted: rows match each misfire policy', async () => {
    const skip = await everySecond('misfire-skip', { misfire_policy: 'skip' });
    const once = await everySecond('misfire-once', { misfire_policy: 'run_once' });
    const all = await everySecond('misfire-all', { misfire_policy: 'run_all', misfire_max_catchup: 2 });
    const ids = [skip.id, once.id, all.id];
    // Let every job run on the live replicas first.
    await eventually(async () => {
      const counts = await Promise.all(ids.map(async (id) => (await runsOf(id)).length));
      return counts.every((count) => count >= 2);
    });
    await stopReplicas();
    // Graceful shutdown (SIGTERM) let every running job finish and record its outcome. (Queued rows may
    // stay: they wait in the database for the next replica.)
    const left = await db.query<{ id: string; status: string; trigger: string }>(
      `select id, status, trigger from job_runs where status = 'running'`,
    );
    expect(left).toEqual([]);
    // The rows that exist at the stop, and each job's own last tick among them: the replicas stop one by one,
    // so the three jobs' last ticks can differ by a second or more.
    const rowsAtStop = await db.query<{ id: string; job_id: string; scheduled_for: Date }>(
      'select id, job_id::text as job_id, scheduled_for from job_runs where job_id::text = any($1::text[])',
      [ids],
    );
    const existedAtStop = new Set(rowsAtStop.map((row) => row.id));
    const lastBeforeStop = new Map<string, number>();
    for (const row of rowsAtStop) {
      const tick = asDate(row.scheduled_for)!.getTime();
      lastBeforeStop.set(row.job_id, Math.max(lastBeforeStop.get(row.job_id) ?? 0, tick));
    }
    // Wall time has to pass for ticks to be missed; nothing is asserted about its length.
    await new Promise((resolve) => setTimeout(resolve, 4 * SECOND));
    await startReplicas();
    const restartedBy = new Date(Date.now() + 2 * SECOND);

    for (const [job, policy] of [
      [skip, 'skip'],
      [once, 'run_once'],
      [all, 'run_all'],
    ] as const) {
      const runs = await settledRuns(job.id, restartedBy);
      await jobs.setEnabled(job.id, false, actor);
      // Continuity: one row per second from the first run to the end, whatever happened in between.
      const ticks = runs.map((run) => run.scheduled_for.getTime());
      const expectedTicks = Array.from({ length: ticks.length }, (_, i) => ticks[0]! + i * SECOND);
      expect(ticks).toEqual(expectedTicks);
      // The outage's rows: written after the stop, for ticks missed or caught up while no replica ran.
      const gap = runs.filter(
        (run) => !existedAtStop.has(run.id) && (run.status === 'missed' || run.trigger === 'catchup'),
      );
      expect(gap.length).toBeGreaterThanOrEqual(3);
      // The gap lies after this job's last tick before the stop.
      expect(gap[0]!.scheduled_for.getTime()).toBeGreaterThan(lastBeforeStop.get(job.id)!);
      const shape = gap.map((run) => (run.trigger === 'catchup' ? run.status : 'missed'));
      const n = gap.length;
      if (policy === 'skip') expect(shape).toEqual(Array(n).fill('missed'));
      if (policy !== 'skip') {
        // The replicas start one after another, so the sweep sees the outage in several passes, each with its
        // own horizon. The policy holds per outage: a tick already due when a catch-up run was queued belongs
        // to that run's outage (a tick due later and left unclaimed past the catch-up margin by a live
        // replica, which only a very slow machine produces, is a new misfire with its own allowance).
        const cap = policy === 'run_once' ? 1 : 2;
        const catchups = gap.filter((run) => run.trigger === 'catchup');
        expect(catchups.every((run) => run.status === 'succeeded')).toBe(true);
        const outages: { until: number; runs: number }[] = [];
        for (const run of catchups) {
          const current = outages.at(-1);
          if (current && run.scheduled_for.getTime() <= current.until) {
            current.runs++;
            current.until = Math.max(current.until, run.created_at.getTime());
          } else outages.push({ until: run.created_at.getTime(), runs: 1 });
        }
        expect(outages.length).toBeGreaterThanOrEqual(1);
        for (const outage of outages) expect(outage.runs).toBeLessThanOrEqual(cap);
        // The outage's first catch-up comes after ticks recorded missed (the gap is at least three ticks).
        expect(shape[0]).toBe('missed');
        if (policy === 'run_all') expect(outages[0]!.runs).toBe(cap);
      }
    }
  });

  it('kill -9 of the replica running a long job: another replica marks the run and retries it within 10 s', async () => {
    const job = await jobs.createJob(
      {
        name: 'long-job',
        func: 'app.jobs.heartbeat:hello_job',
        cron: '0 0 1 1 *',
        kwargs: { sleep_ms: 60_000 },
        max_retries: 1,
        retry_backoff_seconds: 1,
      },
      actor,
    );
    const { run } = await jobs.runNow(job.id, actor);
    const owner = await eventually(async () => {
      const [row] = await db.query<RunRow>('select * from job_runs where id = $1 and status = $2', [
        run.id,
        'running',
      ]);
      return row && withDates(row);
    });
    const victim = replicas.find((replica) => replica.replicaId === owner.replica_id)!;
    expect(victim).toBeDefined();
    await victim.kill9();

    const retry = await eventually(async () => {
      const rows = await runsOf(job.id);
      return rows.find((row) => row.attempt === 2 && row.status === 'running');
    }, 30_000);
    const original = (await db.query<RunRow>('select * from job_runs where id = $1', [run.id])).map(
      withDates,
    )[0];
    expect(original).toMatchObject({ status: 'failed', replica_id: victim.replicaId });
    expect(original!.error?.code).toBe('lease_expired');
    expect(retry.replica_id).not.toBe(victim.replicaId);
    // Measured on the database clock: from the dead replica's last heartbeat to the retry starting.
    const takeoverMs = retry.started_at!.getTime() - original!.heartbeat_at!.getTime();
    expect(takeoverMs).toBeLessThan(10 * SECOND);
    await jobs.setEnabled(job.id, false, actor);
  });
});
