// /metrics: Prometheus text that a Prometheus parser reads, with the series the dashboard and operators
// rely on; protected by METRICS_TOKEN, or moved to the internal listener by METRICS_PORT.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/index.ts';
import { createMetricsApp } from '../../src/features/health/api/metrics.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { bearer, startTestApi, type TestApi } from '../support/api-app.ts';
import { parseScrape, scrape } from '../support/metrics.ts';
import {
  createGate,
  createMigratedPglite,
  createTestScheduler,
  insertJob,
  testFunctions,
} from '../support/scheduler-harness.ts';
import { createTestDeps } from '../support/test-deps.ts';

describe('/metrics on the main port', () => {
  let api: TestApi;
  let admin: string;
  beforeAll(async () => {
    api = await startTestApi();
    admin = await api.userToken('admin');
  });
  afterAll(() => api.close());

  it('counts requests by route template and status, with a latency histogram', async () => {
    const prefix = api.config.apiPrefix;
    const missing = '00000000-0000-4000-8000-000000000000';
    await api.app.request(`${prefix}/jobs`, { headers: bearer(admin) });
    await api.app.request(`${prefix}/jobs/${missing}`, { headers: bearer(admin) });
    await api.app.request('/no/such/path');
    const metrics = await scrape(api.app);

    expect(metrics.value('http_requests_total', { route: `${prefix}/jobs`, status: '200' })).toBe(1);
    // The template, never the id: the id would make a series per job.
    expect(metrics.value('http_requests_total', { route: `${prefix}/jobs/:id`, status: '404' })).toBe(1);
    expect(metrics.value('http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(metrics.samples('http_requests_total').some((s) => s.labels.route?.includes(missing))).toBe(false);
    expect(metrics.types.get('http_requests_total')).toBe('counter');
    expect(metrics.types.get('http_request_duration_seconds')).toBe('histogram');
    const jobsLatency = metrics.histogram('http_request_duration_seconds', { route: `${prefix}/jobs` });
    expect(jobsLatency?.count).toBe(1);
    expect(jobsLatency?.buckets['+Inf']).toBe(1);
    expect(Object.keys(jobsLatency?.buckets ?? {})).toContain('0.1');
  });

  it('shows the scheduler and pool gauges, and overdue jobs from the database', async () => {
    const before = await scrape(api.app);
    expect(before.value('scheduler_jobs_overdue')).toBe(0);
    await api.deps.db.app.query(
      `insert into scheduled_jobs (name, func, cron, enabled, next_run_at)
       values ('overdue-metrics', 'app.jobs.heartbeat:hello_job', '* * * * *', true, now() - interval '10 minutes'),
              ('recent-metrics', 'app.jobs.heartbeat:hello_job', '* * * * *', true, now() - interval '5 seconds'),
              ('disabled-metrics', 'app.jobs.heartbeat:hello_job', '* * * * *', false, now() - interval '1 hour')`,
    );
    const metrics = await scrape(api.app);
    expect(metrics.value('scheduler_jobs_overdue')).toBe(1);
    expect(metrics.value('db_pool_connections_max', { pool: 'app' })).toBeGreaterThan(0);
    expect(metrics.value('db_pool_connections_busy', { pool: 'app' })).toBeGreaterThanOrEqual(0);
    expect(metrics.value('scheduler_jobs_loaded')).toBe(0);
    expect(metrics.types.get('job_runs_total')).toBe('counter');
    expect(metrics.types.get('job_schedule_lag_seconds')).toBe('histogram');
    expect(metrics.types.get('job_run_duration_seconds')).toBe('histogram');
  });

  it('shows each probed dependency as up, and the size and free space of the file volume', async () => {
    const metrics = await scrape(api.app);
    expect(metrics.value('app_dependency_up', { dependency: 'app_db' })).toBe(1);
    // What df reports for the file system that holds FILES_BASE_DIR.
    const [size, available] = execFileSync('df', ['-B1', '--output=size,avail', api.config.files.baseDir], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')[1]!
      .trim()
      .split(/\s+/)
      .map(Number);
    expect(metrics.value('files_volume_size_bytes')).toBe(size);
    expect(metrics.value('files_volume_available_bytes')).toBeGreaterThan(0);
    expect(metrics.value('files_volume_available_bytes')).toBeLessThanOrEqual(size!);
    expect(Math.abs(metrics.value('files_volume_available_bytes')! - available!)).toBeLessThan(size! / 20);
  });
});

describe('/metrics protection', () => {
  it('with METRICS_TOKEN answers 401 in the envelope without the token and 200 with it', async () => {
    const { deps } = await createTestDeps({ env: { METRICS_TOKEN: 'metrics-token-0123456789abcdef' } });
    const app = createApp(deps);
    for (const headers of [{}, bearer('wrong-token'), { Authorization: 'Basic bWV0cmljcw==' }]) {
      const refused = await app.request('/metrics', { headers });
      expect(refused.status).toBe(401);
      const body = (await refused.json()) as { error_code: string; trace_id: string };
      expect(body.error_code).toBe('unauthorized');
      expect(body.trace_id).toBe(refused.headers.get('X-Request-Id'));
    }
    const metrics = await scrape(app, bearer('metrics-token-0123456789abcdef'));
    expect(metrics.types.get('http_requests_total')).toBe('counter');
  });

  it('with METRICS_PORT the main app has no /metrics; the internal app serves it', async () => {
    const { deps } = await createTestDeps({ env: { METRICS_PORT: '9464' } });
    const metrics = createMetrics();
    const app = createApp({ ...deps, metrics });
    expect((await app.request('/metrics')).status).toBe(404);
    await app.request('/healthz');
    const internal = createMetricsApp(deps, metrics);
    const scraped = await scrape(internal);
    expect(scraped.value('http_requests_total', { route: '/healthz', status: '200' })).toBe(1);
    expect((await internal.request('/other')).status).toBe(404);
  });

  it('production refuses to start without METRICS_TOKEN or METRICS_PORT, and refuses a short token', () => {
    const production = {
      APP_ENV: 'production',
      DB_APP_URL: 'postgresql://app:Passw0rd-db-1@db.internal:5432/app',
      REDIS_URL: 'redis://redis.internal:6379/0',
      ADMIN_PASSWORD: 'a-long-Adm1n-password',
      JWT_SECRET_KEY: '0123456789abcdef0123456789abcdef0123456789abcdef',
    };
    expect(() => parseConfig(production)).toThrow(/^METRICS_TOKEN: is required in production/);
    expect(() => parseConfig({ ...production, METRICS_TOKEN: 'short' })).toThrow(
      /^METRICS_TOKEN: is too short/,
    );
    expect(parseConfig({ ...production, METRICS_PORT: '9464' }).config.metrics.port).toBe(9464);
    expect(() => parseConfig({ PORT: '9464', METRICS_PORT: '9464' })).toThrow(/^METRICS_PORT:/);
  });
});

describe('job run metrics come from the scheduler observer', () => {
  it('counts runs by function and status, their duration, schedule lag and skipped ticks', async () => {
    const db = await createMigratedPglite();
    const gate = createGate();
    const metrics = createMetrics();
    const { scheduler } = await createTestScheduler(db, {
      functions: testFunctions(gate),
      observer: metrics.scheduler,
    });
    try {
      const tick = new Date('2026-01-01T10:00:00Z');
      const ok = await insertJob(db, { func: 'test.jobs:ok', nextRunAt: tick });
      const fail = await insertJob(db, { func: 'test.jobs:fail', nextRunAt: tick });
      const gated = await insertJob(db, { func: 'test.jobs:gate', nextRunAt: tick });
      expect(await scheduler.claimTick(ok, tick)).toBe('running');
      expect(await scheduler.claimTick(fail, tick)).toBe('running');
      expect(await scheduler.claimTick(gated, tick)).toBe('running');
      // The next tick of the gated job finds its first run still going: the overlap policy skips it.
      expect(await scheduler.claimTick(gated, new Date('2026-01-01T10:01:00Z'))).toBe('skipped');
      gate.open();
      await scheduler.idle();

      const scraped = parseScrape(await metrics.registry.metrics());
      expect(scraped.value('job_runs_total', { function: 'test.jobs:ok', status: 'succeeded' })).toBe(1);
      expect(scraped.value('job_runs_total', { function: 'test.jobs:fail', status: 'dead' })).toBe(1);
      expect(scraped.value('job_runs_total', { function: 'test.jobs:gate', status: 'succeeded' })).toBe(1);
      expect(scraped.value('job_runs_total', { function: 'test.jobs:gate', status: 'skipped' })).toBe(1);
      const duration = scraped.histogram('job_run_duration_seconds', { function: 'test.jobs:ok' });
      expect(duration?.count).toBe(1);
      // The ticks were in the past: the lag is the time since then (started_at minus scheduled_for).
      const lag = scraped.histogram('job_schedule_lag_seconds', { function: 'test.jobs:ok' });
      expect(lag?.count).toBe(1);
      expect(lag?.sum).toBeGreaterThan(3600);
    } finally {
      gate.open();
      await scheduler.idle();
      await db.close();
    }
  });

  it('counts ticks the catch-up records as missed', async () => {
    const db = await createMigratedPglite();
    const metrics = createMetrics();
    const { scheduler } = await createTestScheduler(db, { observer: metrics.scheduler });
    try {
      const now = new Date('2026-01-01T10:10:30Z');
      await insertJob(db, {
        func: 'app.jobs.heartbeat:hello_job',
        misfire: 'skip',
        nextRunAt: new Date('2026-01-01T10:00:00Z'),
      });
      await scheduler.catchUp(now, 0);
      await scheduler.idle();
      const scraped = parseScrape(await metrics.registry.metrics());
      expect(
        scraped.value('job_runs_total', { function: 'app.jobs.heartbeat:hello_job', status: 'missed' }),
      ).toBe(11);
    } finally {
      await scheduler.idle();
      await db.close();
    }
  });
});
