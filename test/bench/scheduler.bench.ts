// npm run bench:scheduler — a benchmark, not a test (vitest excludes test/bench).
// On a private real PostgreSQL 15: fire lateness (scheduled_for → started_at) with three in-process
// replicas contending for every tick, time and memory to load 10,000 enabled jobs, and runs recorded
// per second. Prints a table and writes test-results/bench/scheduler.json.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { parseConfig } from '../../src/config/index.ts';
import { createPostgresClient, type SqlClient } from '../../src/db/client.ts';
import { migrateAppDatabase } from '../../src/db/migrate.ts';
import { createLocalFileStore } from '../../src/features/files/file-store.ts';
import { createJobRegistry } from '../../src/job-functions/registry.ts';
import { createMemoryStore } from '../../src/kv/memory.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { nextFire, parseCron } from '../../src/scheduler/cron.ts';
import { createScheduler, type Scheduler } from '../../src/scheduler/index.ts';
import { createSecretBox } from '../../src/secrets/secret-box.ts';
import { startPostgres } from '../support/postgres-server.ts';
import { isMainModule, machineInfo, percentile, round, sleep, writeResult } from './bench-support.ts';

const LATENCY_JOBS = Number(process.env.BENCH_LATENCY_JOBS ?? 20);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 15);
const LOAD_JOBS = Number(process.env.BENCH_LOAD_JOBS ?? 10_000);
const THROUGHPUT_RUNS = Number(process.env.BENCH_THROUGHPUT_RUNS ?? 3_000);

const config = parseConfig({
  APP_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-')),
}).config;
const logger = createLogger({ level: 'silent' });
const registry = createJobRegistry();

function makeScheduler(db: SqlClient, replicaId: string, maxConcurrentRuns = 64): Scheduler {
  return createScheduler({
    db,
    legacyDb: undefined,
    kv: createMemoryStore(),
    files: createLocalFileStore(config.files.baseDir),
    config,
    logger,
    registry,
    replicaId,
    secrets: createSecretBox(config.encryption),
    leaseMs: 30_000,
    heartbeatMs: 10_000,
    pollMs: 1_000,
    maxConcurrentRuns,
  });
}

/** Inserts jobs as the jobs service writes them: enabled, with next_run_at set to their next tick. */
async function insertJobs(db: SqlClient, count: number, cron: (i: number) => string, prefix: string) {
  const batch = 1_000;
  const now = new Date();
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const crons = Array.from({ length: size }, (_, i) => cron(start + i));
    const nexts = crons.map((expr) => {
      const parsed = parseCron(expr, 'UTC');
      if (!parsed.ok) throw new Error(parsed.reason);
      return nextFire(parsed.cron, now)!.toISOString();
    });
    await db.query(
      `insert into scheduled_jobs (name, func, cron, kwargs, enabled, overlap_policy, misfire_grace_seconds, next_run_at)
       select $1 || (g + $2)::text, 'app.jobs.heartbeat:hello_job', ($3::text[])[g + 1], '{}'::jsonb, true, 'allow', 0,
              ($5::text[])[g + 1]::timestamptz
       from generate_series(0, $4 - 1) as g`,
      [prefix, start, crons, size, nexts],
    );
  }
}

async function benchLoad(url: string) {
  const db = createPostgresClient({ url, label: 'bench-load', max: 4 });
  // Yearly crons: they are armed but do not fire while we measure.
  await insertJobs(db, LOAD_JOBS, (i) => `${i % 60} ${i % 24} 1 1 *`, 'load-');
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const scheduler = makeScheduler(db, 'bench-load');
  const started = performance.now();
  await scheduler.start();
  const startMs = performance.now() - started;
  const armed = scheduler.stats().armed;
  (globalThis as { gc?: () => void }).gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const rssAfter = process.memoryUsage().rss;
  const reloadStarted = performance.now();
  await scheduler.reloadAll();
  const reloadMs = performance.now() - reloadStarted;
  await scheduler.stop();
  await db.query(`update scheduled_jobs set enabled = false where name like 'load-%'`);
  await db.close();
  return {
    jobs: LOAD_JOBS,
    armed,
    start_ms: round(startMs),
    reload_all_ms: round(reloadMs),
    heap_mb: round((heapAfter - heapBefore) / 1_048_576),
    rss_mb: round((rssAfter - rssBefore) / 1_048_576),
  };
}

/**
 * How late a bare timer in this process wakes on each whole second of the window (what the engine's timers
 * cannot beat: the event loop and the machine's scheduler), filled in as the seconds pass.
 */
function probeTimerWake(from: Date, seconds: number): number[] {
  const late: number[] = [];
  for (let i = 0; i < seconds; i++) {
    const at = from.getTime() + i * 1000;
    setTimeout(() => late.push(performance.timeOrigin + performance.now() - at), at - Date.now());
  }
  return late;
}

async function benchLateness(url: string, jobCount: number, prefix: string, seconds = LATENCY_SECONDS) {
  const clients = [0, 1, 2].map((i) => createPostgresClient({ url, label: `bench-replica-${i}`, max: 4 }));
  await insertJobs(clients[0]!, jobCount, () => '* * * * * *', prefix);
  const replicas = clients.map((db, i) => makeScheduler(db, `replica-${i}`));
  for (const replica of replicas) await replica.start();
  const from = new Date(Math.ceil((Date.now() + 2_000) / 1000) * 1000);
  const wake = probeTimerWake(from, seconds);
  await sleep(from.getTime() - Date.now() + seconds * 1000 + 500);
  const to = new Date(from.getTime() + seconds * 1000);
  await clients[0]!.query(`update scheduled_jobs set enabled = false where name like '${prefix}%'`);
  await Promise.all(replicas.map((replica) => replica.stop()));
  const rows = await clients[0]!.query<{ lateness_ms: number; trigger: string; replica_id: string }>(
    `select extract(epoch from (r.started_at - r.scheduled_for)) * 1000 as lateness_ms, r.trigger, r.replica_id
     from job_runs r join scheduled_jobs j on j.id = r.job_id
     where j.name like $3 and r.scheduled_for >= $1 and r.scheduled_for < $2 and r.started_at is not null`,
    [from.toISOString(), to.toISOString(), `${prefix}%`],
  );
  const [dups] = await clients[0]!.query<{ n: number }>(
    `select count(*)::int as n from (select job_id, scheduled_for from job_runs r join scheduled_jobs j on j.id = r.job_id
       where j.name like $1 group by 1, 2 having count(*) > 1) d`,
    [`${prefix}%`],
  );
  await Promise.all(clients.map((db) => db.close()));
  const lateness = rows.map((row) => Number(row.lateness_ms)).sort((a, b) => a - b);
  const wakeSorted = [...wake].sort((a, b) => a - b);
  const perReplica: Record<string, number> = {};
  for (const row of rows) perReplica[row.replica_id] = (perReplica[row.replica_id] ?? 0) + 1;
  return {
    replicas: 3,
    jobs: jobCount,
    seconds,
    expected_runs: jobCount * seconds,
    runs: rows.length,
    duplicates: dups?.n ?? 0,
    p50_ms: round(percentile(lateness, 50), 2),
    p99_ms: round(percentile(lateness, 99), 2),
    max_ms: round(lateness.at(-1) ?? Number.NaN, 2),
    timer_wake_p50_ms: round(percentile(wakeSorted, 50), 2),
    timer_wake_p99_ms: round(percentile(wakeSorted, 99), 2),
    wins_per_replica: perReplica,
  };
}

async function benchThroughput(url: string) {
  const db = createPostgresClient({ url, label: 'bench-throughput', max: 8 });
  await db.query(
    `insert into scheduled_jobs (name, func, cron, enabled, overlap_policy)
     values ('throughput', 'app.jobs.heartbeat:hello_job', '0 0 1 1 *', true, 'allow')`,
  );
  const [job] = await db.query<{ id: string }>(`select id from scheduled_jobs where name = 'throughput'`);
  await db.query(
    `insert into job_runs (job_id, scheduled_for, trigger, status, not_before)
     select $1, now(), 'manual', 'queued', now() from generate_series(1, $2)`,
    [job!.id, THROUGHPUT_RUNS],
  );
  const scheduler = makeScheduler(db, 'bench-throughput', 32);
  const started = performance.now();
  await scheduler.start();
  for (;;) {
    await scheduler.dispatchQueued();
    await scheduler.idle();
    const [left] = await db.query<{ n: number }>(
      `select count(*)::int as n from job_runs where job_id = $1 and status in ('queued', 'running')`,
      [job!.id],
    );
    if ((left?.n ?? 0) === 0) break;
  }
  const seconds = (performance.now() - started) / 1000;
  await scheduler.stop();
  const [done] = await db.query<{ n: number }>(
    `select count(*)::int as n from job_runs where job_id = $1 and status = 'succeeded'`,
    [job!.id],
  );
  await db.close();
  return {
    runs: done?.n ?? 0,
    seconds: round(seconds, 2),
    runs_per_second: round((done?.n ?? 0) / seconds, 0),
  };
}

/** Runs every scheduler measurement on its own private PostgreSQL; prints and writes scheduler.json. */
export async function runSchedulerBench() {
  const server = await startPostgres();
  try {
    const admin = postgres(server.url, { max: 1, onnotice: () => {} });
    await admin.unsafe('create database bench');
    await admin.end();
    const url = server.url.replace(/\/postgres$/, '/bench');
    const migrator = createPostgresClient({ url, label: 'bench-migrate', max: 1 });
    await migrateAppDatabase(migrator);
    await migrator.close();

    const load = await benchLoad(url);
    const single = await benchLateness(url, 1, 'single-', 2 * LATENCY_SECONDS);
    const lateness = await benchLateness(url, LATENCY_JOBS, 'burst-');
    const throughput = await benchThroughput(url);

    const machine = machineInfo();
    const result = { machine, load, single, lateness, throughput };
    const rows: [string, string][] = [
      ['Fire lateness p50, one every-second job', `${single.p50_ms} ms`],
      [
        'Fire lateness p99, one every-second job',
        `${single.p99_ms} ms (${single.runs}/${single.expected_runs} runs, ${single.duplicates} duplicates)`,
      ],
      [`Fire lateness p50, ${lateness.jobs} jobs firing together`, `${lateness.p50_ms} ms`],
      [
        `Fire lateness p99, ${lateness.jobs} jobs firing together`,
        `${lateness.p99_ms} ms (max ${lateness.max_ms} ms)`,
      ],
      [
        'Bare timer wake lateness p50 / p99 (same process, same seconds)',
        `${lateness.timer_wake_p50_ms} / ${lateness.timer_wake_p99_ms} ms`,
      ],
      [
        'Runs / expected / duplicates',
        `${lateness.runs} / ${lateness.expected_runs} / ${lateness.duplicates} (${lateness.jobs} every-second jobs, ${lateness.seconds} s, 3 replicas)`,
      ],
      [
        `Load ${load.jobs} enabled jobs (scheduler.start)`,
        `${load.start_ms} ms (${load.armed} timers armed)`,
      ],
      ['Reload all jobs (poll fallback)', `${load.reload_all_ms} ms`],
      ['Memory for those jobs', `heap +${load.heap_mb} MB, rss +${load.rss_mb} MB`],
      [
        'Runs recorded per second (claim, run, finish)',
        `${throughput.runs_per_second} runs/s (${throughput.runs} runs in ${throughput.seconds} s, 1 replica, 32 concurrent)`,
      ],
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    console.log(
      `\nScheduler benchmark — ${machine.date}, ${machine.nproc} cores, load ${machine.loadavg.join(' ')}, Node ${machine.node}, ${machine.postgres}`,
    );
    for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
    console.log('\n| Measure | Result |\n| --- | --- |');
    for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
    console.log(`\nwritten: ${writeResult('scheduler', result)}`);
    return { ...result, rows };
  } finally {
    await server.stop();
  }
}

if (isMainModule(import.meta.url)) {
  runSchedulerBench().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
