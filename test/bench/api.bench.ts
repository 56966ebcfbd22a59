// npm run bench — a benchmark, not a test (vitest excludes test/bench).
// test/bench/setup.sh installs wrk and the peer's Debian packages when missing; the npm script builds dist/.
// Starts a private PostgreSQL 15 and redis-server, then side by side on them: the origin as production runs it
// (node dist/src/entry/node.js, NODE_ENV=production, JSON logs at info to a file), the seed's own FastAPI design
// (test/bench/peer-fastapi.ts) and a bare Hono JSON route on the same Node (the ceiling). wrk floods each at 50
// and 1,000 connections; every figure is reported as a ratio to the others measured in the same run. Then the
// seed's KPI row (a crowd of 1,000 users at one request per second each), start-up to a healthy
// /api/v1/health (real PostgreSQL and embedded PGlite) with idle memory, and the scheduler benchmark.
// Prints markdown tables and writes test-results/bench/api.json (and scheduler.json).
//
// Knobs: BENCH_SECONDS (10 per measurement), BENCH_CONNECTIONS ("50,1000"), BENCH_STARTUP_RUNS (3),
// BENCH_SCHEDULER (1; 0 skips it), BENCH_LABEL (suffix of the JSON file, e.g. "before"),
// BENCH_LOG_LEVEL (info), BENCH_CROWD_USERS (1000; 0 skips the crowd), BENCH_CROWD_SECONDS (BENCH_SECONDS),
// BENCH_PEER_DIR (where the peer lives), BENCH_ROUTES and BENCH_ORIGIN_NODE_ARGS (below).
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Options } from 'autocannon';
import postgres from 'postgres';
import { imageNodeOptions } from '../support/dockerfile.ts';
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
import { type CrowdFigures, runCrowd } from './crowd.ts';
import { findPeerDir, startPeer } from './peer-fastapi.ts';
import { runSchedulerBench } from './scheduler.bench.ts';
import { runWrk, type WrkOptions, type WrkResult } from './wrk.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '50,1000').split(',').map(Number);
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);
const WITH_SCHEDULER = process.env.BENCH_SCHEDULER !== '0';
const LABEL = process.env.BENCH_LABEL ? `-${process.env.BENCH_LABEL}` : '';
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';
// Extra node flags for the origin (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") and a route filter (substring).
// The default is what docker/Dockerfile sets in NODE_OPTIONS.
const ORIGIN_NODE_ARGS = (process.env.BENCH_ORIGIN_NODE_ARGS ?? imageNodeOptions().join(' '))
  .split(' ')
  .filter(Boolean);
const ROUTE_FILTER = process.env.BENCH_ROUTES;
const CROWD_USERS = Number(process.env.BENCH_CROWD_USERS ?? 1000);
const CROWD_SECONDS = Number(process.env.BENCH_CROWD_SECONDS ?? SECONDS);
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

interface Measurement extends Partial<WrkResult> {
  /** Which server answered: the origin, the seed's FastAPI design (peer) or the bare Hono route (ceiling). */
  server: 'origin' | 'peer' | 'ceiling';
  route: string;
  connections: number;
  requests_per_s: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  requests: number;
  non_2xx: number;
  socket_errors: number;
  timeouts: number;
  peak_rss_mb: number;
  /** Ratios measured in the same run: to the bare Hono route, and to the peer on the same route. */
  ratio_to_ceiling?: number;
  ratio_to_peer?: number;
}

/** Samples a process's RSS every 100 ms while work runs; returns the work's result and the peak. */
async function withPeakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = rssMb(pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 100);
  try {
    return { result: await work(), peak };
  } finally {
    clearInterval(sampler);
  }
}

/** autocannon, for what wrk's script does not do: unique request bodies (creates) and the paced crowd. */
async function autocannonLoad(
  server: Measurement['server'],
  route: string,
  pid: number,
  options: Options,
): Promise<Measurement & { mean_ms: number }> {
  const { result, peak } = await withPeakRss(pid, () => autocannon({ timeout: 10, ...options }));
  return {
    server,
    route,
    connections: options.connections ?? 10,
    requests_per_s: round(result.requests.average, 0),
    mean_ms: round(result.latency.average, 1),
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

interface FloodRoute {
  server: Measurement['server'];
  name: string;
  pid: number;
  options: Omit<WrkOptions, 'connections' | 'seconds'>;
}

interface CrowdResult extends CrowdFigures {
  server: 'origin' | 'peer';
  users: number;
  seconds: number;
  mix: string;
  peak_rss_mb: number;
}

/** The seed's KPI: CROWD_USERS users at one request per second each (test/bench/crowd.ts), cycling through `paths`. */
async function crowd(
  server: 'origin' | 'peer',
  pid: number,
  base: string,
  headers: Record<string, string>,
  paths: (() => string)[],
  mix: string,
): Promise<CrowdResult> {
  const { result, peak } = await withPeakRss(pid, () =>
    runCrowd({ base, users: CROWD_USERS, seconds: CROWD_SECONDS, headers, paths }),
  );
  return { server, users: CROWD_USERS, seconds: CROWD_SECONDS, mix, ...result, peak_rss_mb: peak };
}

async function benchApi(pg: PostgresServer, redis: RedisServer, dir: string) {
  const bare = await spawnNode(
    ['--import', 'tsx', 'test/bench/bare-hono.ts'],
    { NODE_ENV: 'production' },
    dir,
  );
  await waitForOk(`http://127.0.0.1:${bare.port}/`, performance.now(), bare);

  const peerDir = findPeerDir();
  const peer = peerDir
    ? await startPeer(peerDir, await createDatabase(pg.url, 'peer'), SEED_JOBS, join(dir, 'peer.log'))
    : undefined;
  if (!peer)
    console.warn('no shared/peer-fastapi beside the project (BENCH_PEER_DIR): the peer rows are skipped');

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
  const peerBase = peer ? `http://127.0.0.1:${peer.port}` : '';
  const peerAuth = { authorization: `Bearer ${peer?.token}` };
  const byIdPaths = ids.map((id) => `/api/v1/jobs/${id}`);
  const LIST = `GET /api/v1/jobs, page of ${SEED_JOBS}`;
  const routes = (
    [
      {
        server: 'ceiling',
        name: 'bare Hono JSON',
        pid: bare.pid,
        options: { url: `http://127.0.0.1:${bare.port}/` },
      },
      {
        server: 'origin',
        name: 'GET /api/v1/health',
        pid: origin.pid,
        options: { url: `${base}/api/v1/health` },
      },
      {
        server: 'origin',
        name: LIST,
        pid: origin.pid,
        options: { url: `${base}/api/v1/jobs?page_size=100`, headers: auth },
      },
      {
        server: 'origin',
        name: 'GET /api/v1/jobs/{id}',
        pid: origin.pid,
        options: { url: base, headers: auth, paths: byIdPaths },
      },
      ...(peer
        ? [
            {
              server: 'peer' as const,
              name: 'GET /api/v1/health',
              pid: peer.pid,
              options: { url: `${peerBase}/api/v1/health` },
            },
            {
              server: 'peer' as const,
              name: LIST,
              pid: peer.pid,
              options: { url: `${peerBase}/api/v1/jobs?limit=100`, headers: peerAuth },
            },
          ]
        : []),
    ] as FloodRoute[]
  ).filter((route) => route.server === 'ceiling' || !ROUTE_FILTER || route.name.includes(ROUTE_FILTER));

  const results: Measurement[] = [];
  // Warm the JIT of each server and route once, briefly, before measuring.
  for (const route of routes) await runWrk({ ...route.options, connections: 20, seconds: 2 });
  for (const connections of CONNECTIONS) {
    for (const route of routes) {
      const { result, peak } = await withPeakRss(route.pid, () =>
        runWrk({ ...route.options, connections, seconds: SECONDS }),
      );
      const measurement: Measurement = {
        server: route.server,
        route: route.name,
        connections,
        ...result,
        peak_rss_mb: peak,
      };
      results.push(measurement);
      console.log(JSON.stringify(measurement));
      await drained(origin.port);
    }
  }
  // Creates last, so the reads above saw the seeded jobs only (unique names need a body per request: autocannon).
  let created = 0;
  if (!ROUTE_FILTER || 'POST /api/v1/jobs'.includes(ROUTE_FILTER)) {
    for (const connections of CONNECTIONS) {
      const measurement = await autocannonLoad(
        'origin',
        'POST /api/v1/jobs (create, unique names)',
        origin.pid,
        {
          url: base,
          connections,
          duration: SECONDS,
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
      );
      results.push(measurement);
      console.log(JSON.stringify(measurement));
      await drained(origin.port);
    }
  }
  for (const m of results) {
    const same = (server: Measurement['server'], route?: string) =>
      results.find(
        (r) => r.server === server && r.connections === m.connections && (!route || r.route === route),
      );
    const ceilingRow = same('ceiling');
    if (ceilingRow && m.server !== 'ceiling')
      m.ratio_to_ceiling = round(m.requests_per_s / ceilingRow.requests_per_s, 3);
    const peerRow = m.server === 'origin' ? same('peer', m.route) : undefined;
    if (peerRow) m.ratio_to_peer = round(m.requests_per_s / Math.max(peerRow.requests_per_s, 1), 1);
  }

  let next = 0;
  const crowds: CrowdResult[] = [];
  if (CROWD_USERS > 0) {
    crowds.push(
      await crowd(
        'origin',
        origin.pid,
        base,
        auth,
        [
          () => '/api/v1/jobs?page_size=20',
          () => byIdPaths[next++ % byIdPaths.length]!,
          () => '/api/v1/health',
        ],
        'list of 20, job by id, health (one third each)',
      ),
    );
    console.log(JSON.stringify(crowds.at(-1)));
    await drained(origin.port);
    if (peer) {
      crowds.push(
        await crowd(
          'peer',
          peer.pid,
          peerBase,
          peerAuth,
          [() => '/api/v1/jobs?limit=20', () => '/api/v1/health'],
          'list of 20, health (half each; the peer has no job by id)',
        ),
      );
      console.log(JSON.stringify(crowds.at(-1)));
    }
  }

  await sleep(3_000);
  const memory = {
    idle_rss_mb: idleRss,
    after_load_rss_mb: rssMb(origin.pid),
    peak_rss_mb: rssMb(origin.pid, 'VmHWM'),
    ceiling_peak_rss_mb: rssMb(bare.pid, 'VmHWM'),
    peer_peak_rss_mb: peer ? rssMb(peer.pid, 'VmHWM') : undefined,
  };
  const totalRequests = results.filter((r) => r.server === 'origin').reduce((n, r) => n + r.requests, 0);
  await origin.stop();
  await peer?.stop();
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
    load_generator: 'wrk -t1 (floods, 2 s timeout); autocannon (creates, crowd)',
    results,
    crowd: crowds,
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
      `API, ${SECONDS} s per measurement (floods: wrk -t1, 2 s timeout)`,
      [
        'Server',
        'Route',
        'Conns',
        'req/s',
        'vs bare Hono',
        'vs peer',
        'mean',
        'p50',
        'p99',
        'max',
        'non-2xx',
        'socket errors',
        'timeouts',
        'peak RSS',
      ],
      apiResult.results.map((r) => [
        r.server,
        r.route,
        r.connections,
        r.requests_per_s,
        r.ratio_to_ceiling === undefined ? '' : `${round(r.ratio_to_ceiling * 100, 1)} %`,
        r.ratio_to_peer === undefined ? '' : `${r.ratio_to_peer}×`,
        r.mean_ms === undefined ? '' : `${r.mean_ms} ms`,
        `${r.p50_ms} ms`,
        `${r.p99_ms} ms`,
        `${r.max_ms} ms`,
        r.non_2xx,
        r.socket_errors,
        r.timeouts,
        `${r.peak_rss_mb} MB`,
      ]),
    );
    printTable(
      "The seed's KPI: a crowd of users, one request per second each",
      [
        'Server',
        'Users',
        'Mix',
        'Requests',
        'Average',
        'p50',
        'p99',
        'max',
        'Errors',
        'Error rate',
        'peak RSS',
      ],
      apiResult.crowd.map((c) => [
        c.server,
        c.users,
        c.mix,
        c.requests,
        `${c.mean_ms} ms`,
        `${c.p50_ms} ms`,
        `${c.p99_ms} ms`,
        `${c.max_ms} ms`,
        c.errors,
        `${c.error_rate_percent} %`,
        `${c.peak_rss_mb} MB`,
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
