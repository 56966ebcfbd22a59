// The scheduler's API through the real app (createApp) on PGlite: roles, validation, optimistic concurrency,
// run-now idempotency, retries, archive, the 405 on DELETE, functions and cron preview.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.ts';
import type { SqlClient } from '../../../src/db/client.ts';
import type { AppDependencies } from '../../../src/deps.ts';
import { assembleDependencies } from '../../../src/entry/bootstrap.ts';
import { issueAccessToken } from '../../../src/features/auth/jwt.ts';
import { createLocalFileStore } from '../../../src/features/files/file-store.ts';
import { mountSchedulerApi } from '../../../src/features/jobs/api/index.ts';
import { createJobsService } from '../../../src/features/jobs/jobs.service.ts';
import { createUser } from '../../../src/features/users/users.service.ts';
import { createRouter } from '../../../src/http/router.ts';
import { createMemoryStore } from '../../../src/kv/memory.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import type { Scheduler } from '../../../src/scheduler/index.ts';
import { createSecretBox } from '../../../src/secrets/secret-box.ts';
import { fromPeer } from '../../support/client-peer.ts';
import { withConformance } from '../../support/openapi-conformance.ts';
import {
  createGate,
  createMigratedPglite,
  createTestScheduler,
  silentLogger,
  testFunctions,
} from '../../support/scheduler-harness.ts';

let db: SqlClient;
let scheduler: Scheduler;
let app: ReturnType<typeof createApp>;
const tokens: Partial<Record<Role, string>> = {};
const prefix = '/api/v1';

type Role = 'viewer' | 'operator' | 'admin';
function call(
  method: string,
  path: string,
  options: { role?: Role; body?: unknown; headers?: Record<string, string>; peer?: string } = {},
) {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.role) headers.authorization = `Bearer ${tokens[options.role]}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return app.request(
    `${prefix}${path}`,
    {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    },
    fromPeer(options.peer ?? '192.0.2.1'),
  );
}

const helloJob = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  func: 'app.jobs.heartbeat:hello_job',
  cron: '*/5 * * * *',
  kwargs: { message: 'hi' },
  ...extra,
});

beforeAll(async () => {
  db = await createMigratedPglite();
  const gate = createGate();
  gate.open();
  const built = await createTestScheduler(db, { functions: testFunctions(gate) });
  scheduler = built.scheduler;
  // The entry's assembly, with this file's scheduler (gated test functions) and a jobs service that pokes it.
  const deps: AppDependencies = {
    ...assembleDependencies({
      config: built.config,
      db: { app: db, legacy: undefined, close: () => db.close() },
      kv: createMemoryStore(),
      logger: silentLogger(),
      replicaId: 'replica-a',
      files: createLocalFileStore(built.config.files.baseDir),
      metrics: createMetrics(),
      registry: built.registry,
    }),
    scheduler,
    jobs: createJobsService({
      db,
      registry: built.registry,
      poke: scheduler.poke,
      secrets: createSecretBox(built.config.encryption),
    }),
  };
  // Real authentication: one user per role, each with a signed access token.
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const user = await createUser(db.drizzle, {
      username: `test-${role}`,
      password: `${role}-password-123456`,
      role,
      createdBy: 'test',
    });
    tokens[role] = (await issueAccessToken(built.config.auth, user)).token;
  }
  app = withConformance(createApp(deps));
});

afterAll(async () => {
  await scheduler.idle();
  await db.close();
});

describe('jobs API', () => {
  it('answers 401 without a principal and 403 for a role that is too small', async () => {
    expect((await call('GET', '/jobs')).status).toBe(401);
    const unauth = await call('POST', '/jobs', { body: helloJob('x') });
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toMatchObject({ error_code: 'unauthorized' });
    const viewer = await call('POST', '/jobs', { role: 'viewer', body: helloJob('x') });
    expect(viewer.status).toBe(403);
    expect(await viewer.json()).toMatchObject({ error_code: 'forbidden', trace_id: expect.any(String) });
    expect((await call('POST', '/jobs', { role: 'operator', body: helloJob('x') })).status).toBe(403);
    expect((await call('GET', '/jobs', { role: 'viewer' })).status).toBe(200);
  });

  it('refuses an unknown function, bad arguments and an invalid cron with clear 422 details', async () => {
    const response = await call('POST', '/jobs', {
      role: 'admin',
      body: { name: 'bad', func: 'nope.module:missing', cron: '61 * * * *' },
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { detail: { path: string; message: string }[] };
    expect(body.detail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'func', message: expect.stringContaining('nope.module:missing') }),
        expect.objectContaining({ path: 'cron', message: 'Invalid value for minute: 61' }),
      ]),
    );
    const badArgs = await call('POST', '/jobs', {
      role: 'admin',
      body: helloJob('bad-args', { kwargs: { sleep_ms: 'long' } }),
    });
    expect(badArgs.status).toBe(422);
    expect(((await badArgs.json()) as { detail: { path: string }[] }).detail[0]!.path).toBe(
      'kwargs.sleep_ms',
    );
    const badZone = await call('POST', '/jobs', {
      role: 'admin',
      body: helloJob('bad-zone', { timezone: 'Mars/Base' }),
    });
    expect(((await badZone.json()) as { detail: { path: string }[] }).detail[0]!.path).toBe('timezone');
  });

  it('creates, reads with an ETag, and updates with optimistic concurrency; every change is audited', async () => {
    const created = await call('POST', '/jobs', {
      role: 'admin',
      body: helloJob('nightly', { timezone: 'Europe/Berlin' }),
      peer: '203.0.113.9',
      headers: { 'x-request-id': 'trace-create-1' },
    });
    expect(created.status).toBe(201);
    const job = (await created.json()) as {
      id: string;
      version: number;
      next_run_at: string;
      cron_description: string;
    };
    expect(job.version).toBe(1);
    expect(job.next_run_at).not.toBeNull();
    expect(job.cron_description).toBe('Every 5 minutes');
    expect((await call('POST', '/jobs', { role: 'admin', body: helloJob('nightly') })).status).toBe(409);

    const read = await call('GET', `/jobs/${job.id}`, { role: 'viewer' });
    expect(read.headers.get('etag')).toBe('"1"');
    expect(
      (await call('GET', `/jobs/${job.id}`, { role: 'viewer', headers: { 'if-none-match': '"1"' } })).status,
    ).toBe(304);

    const noVersion = await call('PATCH', `/jobs/${job.id}`, { role: 'admin', body: { cron: '0 3 * * *' } });
    expect(noVersion.status).toBe(428);
    const first = await call('PATCH', `/jobs/${job.id}`, {
      role: 'admin',
      body: { cron: '0 3 * * *' },
      headers: { 'if-match': '"1"' },
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"2"');
    // A second admin still holding version 1 cannot overwrite silently.
    const stale = await call('PATCH', `/jobs/${job.id}`, {
      role: 'admin',
      body: { cron: '0 4 * * *' },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({
      error_code: 'version_conflict',
      detail: { current: { version: 2, cron: '0 3 * * *' } },
    });
    const viaBody = await call('PUT', `/jobs/${job.id}`, {
      role: 'admin',
      body: { description: 'x', version: 1 },
    });
    expect(viaBody.status).toBe(409);

    const audit = await db.query<{
      actor: string;
      action: string;
      trace_id: string;
      client_ip: string;
      after: { cron: string };
    }>(`select actor, action, trace_id, client_ip, after from audit_log where target_id = $1 order by id`, [
      job.id,
    ]);
    expect(audit.map((row) => row.action)).toEqual(['job.create', 'job.update']);
    expect(audit[0]).toMatchObject({
      actor: 'test-admin',
      trace_id: 'trace-create-1',
      client_ip: '203.0.113.9',
    });
    expect(audit[1]!.after.cron).toBe('0 3 * * *');
  });

  it('runs now once per Idempotency-Key and the run succeeds', async () => {
    const job = (await (
      await call('POST', '/jobs', { role: 'admin', body: helloJob('run-now') })
    ).json()) as { id: string };
    const first = await call('POST', `/jobs/${job.id}/run`, {
      role: 'operator',
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(first.status).toBe(202);
    const run = (await first.json()) as { id: string; trigger: string; status: string };
    expect(run).toMatchObject({ trigger: 'manual', status: 'queued' });
    const again = await call('POST', `/jobs/${job.id}/run`, {
      role: 'operator',
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(run.id);
    expect((await call('POST', `/jobs/${job.id}/run`, { role: 'viewer' })).status).toBe(403);

    await scheduler.dispatchQueued();
    await scheduler.idle();
    const done = (await (await call('GET', `/runs/${run.id}`, { role: 'viewer' })).json()) as {
      status: string;
      output: { message: string };
      requested_by: string;
    };
    expect(done).toMatchObject({
      status: 'succeeded',
      output: { message: 'hi' },
      requested_by: 'test-operator',
    });
    const perJob = (await (await call('GET', `/jobs/${job.id}/runs`, { role: 'viewer' })).json()) as {
      total: number;
    };
    expect(perJob.total).toBe(1);
    const global = (await (await call('GET', '/runs?status=succeeded', { role: 'viewer' })).json()) as {
      items: { id: string }[];
    };
    expect(global.items.map((item) => item.id)).toContain(run.id);
    expect((await call('GET', '/runs?status=bogus', { role: 'viewer' })).status).toBe(422);
  });

  it('retries a dead run on request, and only dead runs', async () => {
    const job = (await (
      await call('POST', '/jobs', {
        role: 'admin',
        body: { name: 'always-fails', func: 'test.jobs:fail', cron: '0 0 * * *' },
      })
    ).json()) as { id: string };
    const run = (await (await call('POST', `/jobs/${job.id}/run`, { role: 'operator' })).json()) as {
      id: string;
    };
    await scheduler.dispatchQueued();
    await scheduler.idle();
    expect(
      ((await (await call('GET', `/runs/${run.id}`, { role: 'viewer' })).json()) as { status: string })
        .status,
    ).toBe('dead');
    const retry = await call('POST', `/runs/${run.id}/retry`, { role: 'operator' });
    expect(retry.status).toBe(202);
    const retried = (await retry.json()) as { id: string; attempt: number; retry_of: string };
    expect(retried).toMatchObject({ attempt: 2, retry_of: run.id });
    expect((await call('POST', `/runs/${run.id}/retry`, { role: 'operator' })).status).toBe(200);
    await scheduler.dispatchQueued();
    await scheduler.idle();
    const ok = (await (await call('POST', '/jobs', { role: 'admin', body: helloJob('fine') })).json()) as {
      id: string;
    };
    const okRun = (await (await call('POST', `/jobs/${ok.id}/run`, { role: 'operator' })).json()) as {
      id: string;
    };
    await scheduler.dispatchQueued();
    await scheduler.idle();
    const notDead = await call('POST', `/runs/${okRun.id}/retry`, { role: 'operator' });
    expect(notDead.status).toBe(409);
    expect(await notDead.json()).toMatchObject({ error_code: 'run_not_dead' });
  });

  it('archives instead of deleting: DELETE is 405, archived jobs are hidden and cannot run', async () => {
    const job = (await (
      await call('POST', '/jobs', { role: 'admin', body: helloJob('to-archive') })
    ).json()) as { id: string };
    const deleted = await call('DELETE', `/jobs/${job.id}`, { role: 'admin' });
    expect(deleted.status).toBe(405);
    expect(await deleted.json()).toMatchObject({ error_code: 'method_not_allowed' });
    expect((await call('DELETE', `/jobs/${job.id}`, { role: 'viewer' })).status).toBe(403);
    expect((await call('POST', `/jobs/${job.id}/archive`, { role: 'operator' })).status).toBe(403);
    const archived = await call('POST', `/jobs/${job.id}/archive`, { role: 'admin' });
    expect(await archived.json()).toMatchObject({
      enabled: false,
      archived_at: expect.any(String),
      next_run_at: null,
    });
    const list = (await (await call('GET', '/jobs?q=to-archive', { role: 'viewer' })).json()) as {
      total: number;
    };
    expect(list.total).toBe(0);
    const only = (await (await call('GET', '/jobs?archived=only', { role: 'viewer' })).json()) as {
      items: { id: string }[];
    };
    expect(only.items.map((item) => item.id)).toEqual([job.id]);
    expect((await call('POST', `/jobs/${job.id}/run`, { role: 'operator' })).status).toBe(409);
    const back = await call('POST', `/jobs/${job.id}/unarchive`, { role: 'admin' });
    expect(await back.json()).toMatchObject({ archived_at: null, enabled: false });
    const enabled = await call('POST', `/jobs/${job.id}/enable`, { role: 'operator' });
    expect(await enabled.json()).toMatchObject({ enabled: true, next_run_at: expect.any(String) });
  });

  it('keeps a run-history retention of its own per job: create, get, list, update, null clears, 422 outside bounds', async () => {
    type Retention = {
      id: string;
      version: number;
      retention_max_runs: number | null;
      retention_max_age_days: number | null;
    };
    const plain = (await (
      await call('POST', '/jobs', { role: 'admin', body: helloJob('retention-default') })
    ).json()) as Retention;
    expect(plain).toMatchObject({ retention_max_runs: null, retention_max_age_days: null });

    const created = await call('POST', '/jobs', {
      role: 'admin',
      body: helloJob('retention-own', { retention_max_runs: 500, retention_max_age_days: 14 }),
    });
    expect(created.status).toBe(201);
    const job = (await created.json()) as Retention;
    expect(job).toMatchObject({ retention_max_runs: 500, retention_max_age_days: 14 });
    expect(await (await call('GET', `/jobs/${job.id}`, { role: 'viewer' })).json()).toMatchObject({
      retention_max_runs: 500,
      retention_max_age_days: 14,
    });
    const listed = (await (await call('GET', '/jobs?q=retention-own', { role: 'viewer' })).json()) as {
      items: Retention[];
    };
    expect(listed.items).toEqual([
      expect.objectContaining({ retention_max_runs: 500, retention_max_age_days: 14 }),
    ]);

    // Left out keeps; null clears one limit and keeps the other.
    const renamed = await call('PATCH', `/jobs/${job.id}`, {
      role: 'admin',
      body: { description: 'kept', version: job.version },
    });
    expect(await renamed.json()).toMatchObject({ retention_max_runs: 500, retention_max_age_days: 14 });
    const cleared = await call('PATCH', `/jobs/${job.id}`, {
      role: 'admin',
      body: { retention_max_runs: null, version: job.version + 1 },
    });
    expect(cleared.status).toBe(200);
    expect(await cleared.json()).toMatchObject({ retention_max_runs: null, retention_max_age_days: 14 });
    const [stored] = await db.query<{ retention_max_runs: number | null; retention_max_age_days: number }>(
      'select retention_max_runs, retention_max_age_days from scheduled_jobs where id = $1',
      [job.id],
    );
    expect(stored).toEqual({ retention_max_runs: null, retention_max_age_days: 14 });

    for (const [field, value] of [
      ['retention_max_runs', 0],
      ['retention_max_runs', 100_001],
      ['retention_max_runs', 2.5],
      ['retention_max_age_days', 0],
      ['retention_max_age_days', 3651],
      ['retention_max_age_days', '7'],
    ] as const) {
      const refused = await call('POST', '/jobs', {
        role: 'admin',
        body: helloJob(`retention-bad-${field}-${value}`, { [field]: value }),
      });
      expect(refused.status, `${field}=${value}`).toBe(422);
      expect(((await refused.json()) as { detail: { path: string }[] }).detail).toEqual([
        expect.objectContaining({ path: field }),
      ]);
    }
    const refusedUpdate = await call('PATCH', `/jobs/${job.id}`, {
      role: 'admin',
      body: { retention_max_age_days: -1, version: job.version + 2 },
    });
    expect(refusedUpdate.status).toBe(422);
  });

  it('lists, filters, searches and sorts jobs with pagination', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) {
      await call('POST', '/jobs', { role: 'admin', body: helloJob(name, { enabled: name !== 'page-b' }) });
    }
    const page = (await (
      await call('GET', '/jobs?q=page-&sort=-name&page_size=2', { role: 'viewer' })
    ).json()) as {
      items: { name: string }[];
      total: number;
    };
    expect(page.total).toBe(3);
    expect(page.items.map((item) => item.name)).toEqual(['page-c', 'page-b']);
    const disabled = (await (
      await call('GET', '/jobs?q=page-&enabled=false', { role: 'viewer' })
    ).json()) as {
      items: { name: string }[];
    };
    expect(disabled.items.map((item) => item.name)).toEqual(['page-b']);
    expect((await call('GET', '/jobs?sort=sideways', { role: 'viewer' })).status).toBe(422);
    expect((await call('GET', '/jobs/not-a-uuid', { role: 'viewer' })).status).toBe(404);
  });

  it('lists the registered functions with their argument JSON Schema', async () => {
    const body = (await (await call('GET', '/functions', { role: 'viewer' })).json()) as {
      items: { key: string; args_schema: { properties?: Record<string, unknown> } }[];
    };
    const keys = body.items.map((item) => item.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'app.jobs.heartbeat:hello_job',
        'app.jobs.http:http_request',
        'app.jobs.legacy:sql_report',
        'app.jobs.files:cleanup_files',
        'app.jobs.maintenance:prune_runs',
      ]),
    );
    const http = body.items.find((item) => item.key === 'app.jobs.http:http_request')!;
    expect(Object.keys(http.args_schema.properties ?? {})).toEqual(
      expect.arrayContaining(['method', 'url', 'headers', 'expected_status']),
    );
  });

  it('previews cron expressions: valid with times in the zone and UTC, invalid with the reason', async () => {
    const preview = (await (
      await call(
        'GET',
        `/cron/preview?expr=${encodeURIComponent('30 2 * * *')}&tz=America/New_York&count=3`,
        {
          role: 'viewer',
        },
      )
    ).json()) as { valid: boolean; next: { local: string; utc: string }[]; description: string };
    expect(preview.valid).toBe(true);
    expect(preview.description).toBe('At 02:30');
    expect(preview.next).toHaveLength(3);
    expect(preview.next[0]!.local).toMatch(/T02:30:00-0[45]:00$/);
    const invalid = (await (
      await call('GET', `/cron/preview?expr=${encodeURIComponent('* * 32 * *')}`, { role: 'viewer' })
    ).json()) as { valid: boolean; reason: string };
    expect(invalid.valid).toBe(false);
    expect(invalid.reason).toBe('Invalid value for day-of-month: 32 (allowed 1-31)');
  });

  it('previews the fires strictly after `from`, across a DST change, and names every problem at once', async () => {
    const preview = (await (
      await call(
        'GET',
        `/cron/preview?expr=${encodeURIComponent('0 * * * *')}&tz=America/New_York&count=3&from=${encodeURIComponent('2026-03-08T01:00:00-05:00')}`,
        { role: 'viewer' },
      )
    ).json()) as { from: string; next: { local: string; utc: string }[] };
    expect(preview.from).toBe('2026-03-08T06:00:00.000Z');
    // 02:00 does not exist that night in New York: 01:00 EST is followed by 03:00 EDT.
    expect(preview.next).toEqual([
      { local: '2026-03-08T03:00:00-04:00', utc: '2026-03-08T07:00:00.000Z' },
      { local: '2026-03-08T04:00:00-04:00', utc: '2026-03-08T08:00:00.000Z' },
      { local: '2026-03-08T05:00:00-04:00', utc: '2026-03-08T09:00:00.000Z' },
    ]);

    const both = (await (
      await call('GET', `/cron/preview?expr=${encodeURIComponent('61 * * * *')}&tz=Mars/Olympus`, {
        role: 'viewer',
      })
    ).json()) as { valid: boolean; problems: { field: string }[] };
    expect(both.valid).toBe(false);
    expect(both.problems.map((problem) => problem.field)).toEqual(['timezone', 'cron']);

    const malformed = await call('GET', '/cron/preview?expr=*&count=0&from=yesterday', { role: 'viewer' });
    expect(malformed.status).toBe(422);
    const issues = ((await malformed.json()) as { detail: { path: string }[] }).detail.map(
      (issue) => issue.path,
    );
    expect(issues.sort()).toEqual(['count', 'from']);

    const job = await call('POST', '/jobs', {
      role: 'admin',
      body: { ...helloJob('two-problems'), cron: '61 * * * *', timezone: 'Mars/Olympus' },
    });
    expect(job.status).toBe(422);
    const jobIssues = ((await job.json()) as { detail: { path: string }[] }).detail.map(
      (issue) => issue.path,
    );
    expect(jobIssues.sort()).toEqual(['cron', 'timezone']);
  });
});

describe('scheduler API spec', () => {
  it('documents every operation with a summary, a tag, the role errors and the error envelope', () => {
    const doc = mountSchedulerApi(createRouter(), prefix).getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: 'scheduler', version: 'test' },
    });
    const operations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(
        item as Record<string, { summary?: string; tags?: string[]; responses: Record<string, unknown> }>,
      ).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort()).toEqual(
      [
        'GET /api/v1/jobs',
        'POST /api/v1/jobs',
        'GET /api/v1/jobs/{id}',
        'PATCH /api/v1/jobs/{id}',
        'PUT /api/v1/jobs/{id}',
        'DELETE /api/v1/jobs/{id}',
        'POST /api/v1/jobs/{id}/enable',
        'POST /api/v1/jobs/{id}/disable',
        'POST /api/v1/jobs/{id}/archive',
        'POST /api/v1/jobs/{id}/unarchive',
        'POST /api/v1/jobs/{id}/run',
        'GET /api/v1/jobs/{id}/runs',
        'GET /api/v1/runs',
        'GET /api/v1/runs/{id}',
        'POST /api/v1/runs/{id}/retry',
        'GET /api/v1/functions',
        'GET /api/v1/cron/preview',
      ].sort(),
    );
    for (const { method, op } of operations) {
      expect(op.summary).toBeTruthy();
      expect(op.tags?.length).toBeGreaterThan(0);
      // Reads need the viewer role, which every principal has: only changes can be refused with 403.
      const roleErrors = method === 'get' ? ['401'] : ['401', '403'];
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining([...roleErrors, '429', '500']));
    }
  });
});
