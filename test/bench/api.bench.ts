// npm run bench — a benchmark, not a test (vitest excludes test/bench).
// Builds dist/ (the npm script does), starts a private PostgreSQL 15 and redis-server, spawns the origin as
// production runs it (node dist/src/entry/node.js, NODE_ENV=production, JSON logs at info to a file) and a
// bare Hono JSON route on the same Node as the ceiling, then drives both with autocannon at 50 and 1,000
// connections. Also measures start-up to a healthy /api/v1/health (real PostgreSQL and embedded PGlite)
// with idle memory, and runs the scheduler benchmark, so one report holds everything.
// Prints markdown tables and writes test-results/bench/api.json (and scheduler.json).
//
// Knobs: BENCH_SECONDS (10 per measurement), BENCH_CONNECTIONS ("50,1000"), BENCH_STARTUP_RUNS (3),
// BENCH_SCHEDULER (1; 0 skips it), BENCH_LABEL (suffix of the JSON file, e.g. "before"),
// BENCH_LOG_LEVEL (info).
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Options, type Result } from 'autocannon';
import postgres from 'postgres';
import { PROJECT_ROOT } from '../support/origin-process.ts';
import { freePort } from '../support/ports.ts';
import { type PostgresServer, startPostgres } from '../support/postgres-server.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';
import {
  isMainModule,
  machineInfo,
  median,
  printTable,
  round,
  rssMb,
  sleep,
  writeResult,
} from './bench-support.ts';
import { runSchedulerBench } from './scheduler.bench.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '50,1000').split(',').map(Number);
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);
const WITH_SCHEDULER = process.env.BENCH_SCHEDULER !== '0';
const LABEL = process.env.BENCH_LABEL ? `-${process.env.BENCH_LABEL}` : '';
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';
// Extra node flags for the origin (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") and a route filter (substring).
// The default is what docker/Dockerfile sets in NODE_OPTIONS.
const ORIGIN_NODE_ARGS = (process.env.BENCH_ORIGIN_NODE_ARGS ?? '--max-semi-space-size=16')
  .split(' ')
  .filter(Boolean);
const ROUTE_FILTER = process.env.BENCH_ROUTES;
const SKIP_STARTUP = STARTUP_RUNS === 0;
const SEED_JOBS = 100;
const ORIGIN_ENTRY = 'dist/src/entry/node.js';
const ADMIN = { username: 'bench', password: 'bench-password-not-secret' };

interface Server {
  child: ChildProcess;
  pid: number;
  port: number;
  logPath: string;
  stop(): Promise<void>;
}

const started = new Set<Server>();

/** Spawns node with only the given env (plus PATH and HOME); stdout and stderr go to a file, as a log driver would. */
async function spawnNode(args: string[], env: Record<string, string>, dir: string): Promise<Server> {
  const port = await freePort();
  const logPath = join(dir, `server-${port}.log`);
  const fd = openSync(logPath, 'w');
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, PORT: String(port) },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: Server = {
    child,
    pid: child.pid!,
    port,
    logPath,
    async stop() {
      started.delete(server);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  started.add(server);
  return server;
}

/** Polls until the URL answers 200; returns the ms since `since`. */
async function waitForOk(url: string, since: number, server: Server, deadlineMs = 60_000): Promise<number> {
  for (;;) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - since;
    } catch {
      // Not listening yet.
    }
    if (server.child.exitCode !== null) throw new Error(`server exited; see ${server.logPath}`);
    if (performance.now() - since > deadlineMs) throw new Error(`${url} not healthy; see ${server.logPath}`);
    await sleep(5);
  }
}

function originEnv(dir: string, extra: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'production',
    APP_ENV: 'local',
    HOST: '127.0.0.1',
    LOG_LEVEL: LOG_LEVEL,
    DATA_DIR: join(dir, 'data'),
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET_KEY: 'bench-jwt-secret-0123456789abcdef0123456789abcdef',
    // The bench measures the origin's work, not its limits: one client address sends every request, so the
    // /api rate limit (per IP and per token) is off and logins are not limited.
    LOGIN_MAX_ATTEMPTS_PER_MINUTE: '10000',
    RATE_LIMIT_ENABLED: 'false',
    ...extra,
  };
}

async function startOrigin(env: Record<string, string>, dir: string) {
  const since = performance.now();
  const origin = await spawnNode([...ORIGIN_NODE_ARGS, ORIGIN_ENTRY], env, dir);
  const startupMs = await waitForOk(`http://127.0.0.1:${origin.port}/api/v1/health`, since, origin);
  return { origin, startupMs };
}

async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database ${name}`);
  await sql.end();
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}

/** Start-up to healthy and idle RSS (2 s after healthy), STARTUP_RUNS times per case. */
async function benchStartup(pg: PostgresServer, redis: RedisServer, dir: string) {
  const cases: { name: string; runs: { startup_ms: number; idle_rss_mb: number }[] }[] = [];
  const measure = async (name: string, envFor: (run: number) => Record<string, string>) => {
    const runs = [];
    for (let run = 0; run < STARTUP_RUNS; run++) {
      const { origin, startupMs } = await startOrigin(envFor(run), dir);
      await sleep(2_000);
      runs.push({ startup_ms: round(startupMs), idle_rss_mb: rssMb(origin.pid) });
      await origin.stop();
    }
    cases.push({ name, runs });
  };
  const legacyUrl = await createDatabase(pg.url, 'startup_legacy');
  const real = (url: string) =>
    originEnv(dir, { DB_APP_URL: url, DB_LEGACY_URL: legacyUrl, REDIS_URL: redis.url });
  const fresh: string[] = [];
  for (let run = 0; run < STARTUP_RUNS; run++) fresh.push(await createDatabase(pg.url, `startup_${run}`));
  await measure('PostgreSQL + Redis, new database (migrations run)', (run) => real(fresh[run]!));
  await measure('PostgreSQL + Redis, migrated database', () => real(fresh[0]!));
  const pgliteDirs = Array.from({ length: STARTUP_RUNS }, () => mkdtempSync(join(dir, 'pglite-')));
  await measure('embedded defaults (PGlite, memory kv), new DATA_DIR', (run) =>
    originEnv(dir, { DATA_DIR: pgliteDirs[run]! }),
  );
  await measure('embedded defaults (PGlite, memory kv), existing DATA_DIR', () =>
    originEnv(dir, { DATA_DIR: pgliteDirs[0]! }),
  );
  return cases.map((c) => ({
    name: c.name,
    startup_ms_median: median(c.runs.map((r) => r.startup_ms)),
    idle_rss_mb_median: median(c.runs.map((r) => r.idle_rss_mb)),
    runs: c.runs,
  }));
}

async function api(port: number, token: string | undefined, method: string, path: string, body?: unknown) {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

const jobBody = (name: string, i: number) => ({
  name,
  func: 'app.jobs.heartbeat:hello_job',
  // Yearly: armed by the scheduler, never fired while we measure.
  cron: `${i % 60} ${i % 24} 1 1 *`,
  kwargs: {},
});

/** 100 jobs, each with one finished manual run, so the list carries real last runs. */
async function seedJobs(port: number, token: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < SEED_JOBS; i++) {
    const job = await api(port, token, 'POST', '/jobs', jobBody(`seed-${String(i).padStart(3, '0')}`, i));
    ids.push(job.id as string);
    await api(port, token, 'POST', `/jobs/${job.id}/run`);
  }
  for (let waited = 0; waited < 30_000; waited += 200) {
    const runs = await api(port, token, 'GET', '/runs?status=succeeded&page_size=1');
    if ((runs.total as number) >= SEED_JOBS) break;
    await sleep(200);
  }
  return ids;
}

/**
 * After a flood the origin still works through requests whose clients are gone; the next measurement
 * starts once the liveness route answers quickly again (and a second has passed).
 */
async function drained(port: number) {
  await sleep(1_000);
  for (let waited = 0; waited < 60_000; ) {
    const before = performance.now();
    await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.arrayBuffer());
    const took = performance.now() - before;
    waited += took;
    if (took < 20) return;
    await sleep(100);
    waited += 100;
  }
}

interface Measurement {
  route: string;
  connections: number;
  rate?: string;
  requests_per_s: number;
  ratio_to_ceiling?: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  requests: number;
  non_2xx: number;
  socket_errors: number;
  timeouts: number;
  peak_rss_mb: number;
}

async function load(route: string, pid: number, options: Options, rate?: string): Promise<Measurement> {
  let peak = rssMb(pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 100);
  let result: Result;
  try {
    result = await autocannon({ timeout: 30, ...options });
  } finally {
    clearInterval(sampler);
  }
  return {
    route,
    connections: options.connections ?? 10,
    ...(rate ? { rate } : {}),
    requests_per_s: round(result.requests.average, 0),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    requests: result.requests.total,
    non_2xx: result.non2xx,
    // autocannon counts timeouts among errors; report them apart.
    socket_errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    peak_rss_mb: peak,
  };
}

async function benchApi(pg: PostgresServer, redis: RedisServer, dir: string) {
  const bare = await spawnNode(
    ['--import', 'tsx', 'test/bench/bare-hono.ts'],
    { NODE_ENV: 'production' },
    dir,
  );
  await waitForOk(`http://127.0.0.1:${bare.port}/`, performance.now(), bare);

  const url = await createDatabase(pg.url, 'bench_api');
  const legacyUrl = await createDatabase(pg.url, 'bench_legacy');
  const { origin } = await startOrigin(
    originEnv(dir, { DB_APP_URL: url, DB_LEGACY_URL: legacyUrl, REDIS_URL: redis.url }),
    dir,
  );
  await sleep(2_000);
  const idleRss = rssMb(origin.pid);
  const base = `http://127.0.0.1:${origin.port}`;
  const login = await api(origin.port, undefined, 'POST', '/auth/token', ADMIN);
  const token = login.access_token as string;
  const ids = await seedJobs(origin.port, token);
  const auth = { authorization: `Bearer ${token}` };
  let created = 0;
  let next = 0;
  const routes: {
    name: string;
    pid: number;
    options: Omit<Options, 'connections' | 'duration'> & { url: string };
  }[] = [
    { name: 'bare Hono JSON (ceiling)', pid: bare.pid, options: { url: `http://127.0.0.1:${bare.port}/` } },
    { name: 'GET /api/v1/health', pid: origin.pid, options: { url: `${base}/api/v1/health` } },
    {
      name: `GET /api/v1/jobs?page_size=100 (${SEED_JOBS} jobs)`,
      pid: origin.pid,
      options: { url: `${base}/api/v1/jobs?page_size=100`, headers: auth },
    },
    {
      name: 'GET /api/v1/jobs/{id}',
      pid: origin.pid,
      options: {
        url: base,
        requests: [
          {
            method: 'GET',
            headers: auth,
            setupRequest: (request) => ({ ...request, path: `/api/v1/jobs/${ids[next++ % ids.length]}` }),
          },
        ],
      },
    },
    {
      name: 'POST /api/v1/jobs (create, unique names)',
      pid: origin.pid,
      options: {
        url: base,
        requests: [
          {
            method: 'POST',
            path: '/api/v1/jobs',
            headers: { ...auth, 'content-type': 'application/json' },
            setupRequest: (request) => {
              created++;
              return {
                ...request,
                body: JSON.stringify(jobBody(`bench-${process.pid}-${created}`, created)),
              };
            },
          },
        ],
      },
    },
  ];

  const results: Measurement[] = [];
  // Warm the JIT of each server and route once, briefly, before measuring.
  for (const route of routes) await autocannon({ ...route.options, connections: 20, duration: 2 });
  // Reads first at every concurrency, creates last, so the list always holds the seeded jobs plus creates
  // from earlier levels only.
  const ordered = [
    ...CONNECTIONS.flatMap((connections) => routes.slice(0, 4).map((route) => ({ route, connections }))),
    ...CONNECTIONS.map((connections) => ({ route: routes[4]!, connections })),
  ].filter(({ route }) => !ROUTE_FILTER || route === routes[0] || route.name.includes(ROUTE_FILTER));
  for (const { route, connections } of ordered) {
    const measurement = await load(route.name, route.pid, {
      ...route.options,
      connections,
      duration: SECONDS,
    });
    results.push(measurement);
    console.log(JSON.stringify(measurement));
    await drained(origin.port);
  }
  // A crowd rather than a flood: 1,000 connections that each send one request per second (users with think
  // time). autocannon corrects these latencies for coordinated omission.
  const crowd = Math.max(...CONNECTIONS);
  const paced = await load(
    routes[2]!.name,
    origin.pid,
    { ...routes[2]!.options, connections: crowd, duration: SECONDS, connectionRate: 1 },
    '1 req/s per connection',
  );
  results.push(paced);
  console.log(JSON.stringify(paced));
  await drained(origin.port);

  for (const measurement of results) {
    const ceilingRow = results.find(
      (r) => r.route === routes[0]!.name && r.connections === measurement.connections && !r.rate,
    );
    if (ceilingRow && !measurement.rate)
      measurement.ratio_to_ceiling = round(measurement.requests_per_s / ceilingRow.requests_per_s, 2);
  }
  await sleep(3_000);
  const memory = {
    idle_rss_mb: idleRss,
    after_load_rss_mb: rssMb(origin.pid),
    peak_rss_mb: rssMb(origin.pid, 'VmHWM'),
    ceiling_peak_rss_mb: rssMb(bare.pid, 'VmHWM'),
  };
  const totalRequests = results
    .filter((r) => r.route !== routes[0]!.name)
    .reduce((n, r) => n + r.requests, 0);
  await origin.stop();
  const logBytes = statSync(origin.logPath).size;
  // Asynchronous logging must still write whole lines: every line of the origin's output is one JSON object.
  const lines = readFileSync(origin.logPath, 'utf8').split('\n').filter(Boolean);
  const brokenLines = lines.filter((line) => {
    try {
      JSON.parse(line);
      return false;
    } catch {
      return true;
    }
  }).length;
  await bare.stop();
  return {
    seconds_per_measurement: SECONDS,
    log_level: LOG_LEVEL,
    results,
    memory,
    log: {
      bytes: logBytes,
      lines: lines.length,
      broken_lines: brokenLines,
      bytes_per_request: round(logBytes / Math.max(totalRequests, 1), 0),
    },
  };
}

async function main() {
  if (!existsSync(join(PROJECT_ROOT, ORIGIN_ENTRY)))
    throw new Error(`${ORIGIN_ENTRY} missing: npm run build`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-api-'));
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  const machineBefore = machineInfo();
  try {
    const startup = SKIP_STARTUP ? [] : await benchStartup(pg, redis, dir);
    printTable(
      'Start-up to a healthy /api/v1/health (median)',
      ['Case', 'Start-up', 'Idle RSS'],
      startup.map((c) => [c.name, `${c.startup_ms_median} ms`, `${c.idle_rss_mb_median} MB`]),
    );
    const apiResult = await benchApi(pg, redis, dir);
    printTable(
      `API, ${SECONDS} s per measurement`,
      [
        'Route',
        'Conns',
        'req/s',
        'vs ceiling',
        'p50',
        'p99',
        'max',
        'non-2xx',
        'socket errors',
        'timeouts',
        'peak RSS',
      ],
      apiResult.results.map((r) => [
        r.route,
        r.rate ? `${r.connections} (${r.rate})` : r.connections,
        r.requests_per_s,
        r.ratio_to_ceiling === undefined ? '' : `${Math.round(r.ratio_to_ceiling * 100)} %`,
        `${r.p50_ms} ms`,
        `${r.p99_ms} ms`,
        `${r.max_ms} ms`,
        r.non_2xx,
        r.socket_errors,
        r.timeouts,
        `${r.peak_rss_mb} MB`,
      ]),
    );
    console.log(JSON.stringify({ memory: apiResult.memory, log: apiResult.log }));
    const machineAfterApi = machineInfo();
    const scheduler = WITH_SCHEDULER ? await runSchedulerBench() : undefined;
    const result = {
      command: `npm run bench (BENCH_SECONDS=${SECONDS} BENCH_CONNECTIONS=${CONNECTIONS.join(',')})`,
      machine: { ...machineBefore, loadavg_after_api: machineAfterApi.loadavg },
      startup,
      api: apiResult,
      scheduler,
    };
    console.log(`\nwritten: ${writeResult(`api${LABEL}`, result)}`);
  } finally {
    await Promise.allSettled([...started].map((server) => server.stop()));
    await Promise.allSettled([pg.stop(), redis.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMainModule(import.meta.url)) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const server of started) server.child.kill('SIGKILL');
      process.exit(1);
    });
  }
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
