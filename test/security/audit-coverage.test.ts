// Every mutating route of the API writes an audit_log row: actor, action, target, before/after, trace_id
// and client IP. The walk is driven by app.routes: a new POST/PUT/PATCH/DELETE route without a scenario
// here fails the test, so no mutation path can be added without its audit row being checked.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, bearer, startTestApi, type TestApi } from '../support/api-app.ts';
import { fromPeer } from '../support/client-peer.ts';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type AuditRow = {
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before: unknown;
  after: unknown;
  trace_id: string | null;
  client_ip: string | null;
};

interface Scenario {
  /** The audit action the mutation must record. */
  action: string;
  targetType: string;
  perform(call: Caller): Promise<Response>;
}

type Caller = (
  method: string,
  path: string,
  init?: { body?: unknown; form?: FormData; headers?: Record<string, string> },
) => Promise<Response>;

describe('audit coverage: every mutating API route writes an audit row', () => {
  let api: TestApi;
  let admin: string;
  const state: Record<string, string> = {};

  beforeAll(async () => {
    api = await startTestApi({
      TRUSTED_PROXIES: '127.0.0.1',
      RATE_LIMIT_ENABLED: 'false',
      ALERTS_ALLOW_PRIVATE: 'true',
      // Alert channels store their URL and signing secret sealed.
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    admin = await api.userToken('admin');
  });
  afterAll(() => api.close());

  const jobBody = (name: string) => ({
    name,
    func: 'app.jobs.heartbeat:hello_job',
    cron: '*/5 * * * *',
    kwargs: { message: 'hi' },
  });
  const jobVersion = async (call: Caller) => {
    const job = (await (await call('GET', `/jobs/${state.job}`)).json()) as { version: number };
    return job.version;
  };

  // Keyed by `METHOD path template` as Hono lists them in app.routes (under API_V1_STR).
  const scenarios: Record<string, Scenario> = {
    'POST /auth/token': {
      action: 'auth.login',
      targetType: 'user',
      perform: (call) => {
        const form = new FormData();
        form.set('username', ADMIN.username);
        form.set('password', ADMIN.password);
        return call('POST', '/auth/token', { form, headers: { Authorization: '' } });
      },
    },
    'POST /users': {
      action: 'user.create',
      targetType: 'user',
      perform: async (call) => {
        const response = await call('POST', '/users', {
          body: { username: 'audit-carol', password: 'carol-password-123456', role: 'viewer' },
        });
        state.user = ((await response.clone().json()) as { id: string }).id;
        return response;
      },
    },
    'PATCH /users/:id': {
      action: 'user.update',
      targetType: 'user',
      perform: (call) => call('PATCH', `/users/${state.user}`, { body: { role: 'operator' } }),
    },
    'POST /users/:id/password': {
      action: 'user.reset_password',
      targetType: 'user',
      perform: (call) =>
        call('POST', `/users/${state.user}/password`, { body: { password: 'another-password-123' } }),
    },
    'POST /users/:id/unlock': {
      action: 'user.unlock',
      targetType: 'user',
      perform: (call) => call('POST', `/users/${state.user}/unlock`),
    },
    'POST /tokens': {
      action: 'token.create',
      targetType: 'api_token',
      perform: async (call) => {
        const response = await call('POST', '/tokens', { body: { name: 'audit-token', role: 'viewer' } });
        state.token = ((await response.clone().json()) as { id: string }).id;
        return response;
      },
    },
    'DELETE /tokens/:id': {
      action: 'token.revoke',
      targetType: 'api_token',
      perform: (call) => call('DELETE', `/tokens/${state.token}`),
    },
    'POST /files': {
      action: 'file.upload',
      targetType: 'file',
      perform: async (call) => {
        const form = new FormData();
        form.append(
          'file',
          new Blob(['plain text for the audit walk\n'], { type: 'text/plain' }),
          'audit.txt',
        );
        const response = await call('POST', '/files', { form });
        state.file = ((await response.clone().json()) as { id: string }).id;
        return response;
      },
    },
    'DELETE /files/:id': {
      action: 'file.delete',
      targetType: 'file',
      perform: (call) => call('DELETE', `/files/${state.file}`),
    },
    'POST /jobs': {
      action: 'job.create',
      targetType: 'scheduled_job',
      perform: async (call) => {
        const response = await call('POST', '/jobs', { body: jobBody('audit-job') });
        state.job = ((await response.clone().json()) as { id: string }).id;
        return response;
      },
    },
    'PATCH /jobs/:id': {
      action: 'job.update',
      targetType: 'scheduled_job',
      perform: async (call) =>
        call('PATCH', `/jobs/${state.job}`, {
          body: { description: 'patched' },
          headers: { 'If-Match': `"${await jobVersion(call)}"` },
        }),
    },
    'PUT /jobs/:id': {
      action: 'job.update',
      targetType: 'scheduled_job',
      perform: async (call) =>
        call('PUT', `/jobs/${state.job}`, {
          body: { cron: '*/10 * * * *' },
          headers: { 'If-Match': `"${await jobVersion(call)}"` },
        }),
    },
    'POST /jobs/:id/disable': {
      action: 'job.disable',
      targetType: 'scheduled_job',
      perform: (call) => call('POST', `/jobs/${state.job}/disable`),
    },
    'POST /jobs/:id/enable': {
      action: 'job.enable',
      targetType: 'scheduled_job',
      perform: (call) => call('POST', `/jobs/${state.job}/enable`),
    },
    'POST /jobs/:id/run': {
      action: 'job.run',
      targetType: 'scheduled_job',
      perform: (call) => call('POST', `/jobs/${state.job}/run`),
    },
    'POST /runs/:id/retry': {
      action: 'run.retry',
      targetType: 'job_run',
      perform: async (call) => {
        const [dead] = await api.deps.db.app.query<{ id: string }>(
          `insert into job_runs (job_id, scheduled_for, trigger, status, attempt, finished_at)
           values ($1, now() - interval '1 hour', 'schedule', 'dead', 1, now()) returning id`,
          [state.job],
        );
        return call('POST', `/runs/${dead!.id}/retry`);
      },
    },
    'POST /jobs/:id/archive': {
      action: 'job.archive',
      targetType: 'scheduled_job',
      perform: (call) => call('POST', `/jobs/${state.job}/archive`),
    },
    'POST /jobs/:id/unarchive': {
      action: 'job.unarchive',
      targetType: 'scheduled_job',
      perform: (call) => call('POST', `/jobs/${state.job}/unarchive`),
    },
  };
  /** Routes that change nothing by design; each must refuse and write nothing. */
  Object.assign(scenarios, {
    'POST /alerts/channels': {
      action: 'alert_channel.create',
      targetType: 'alert_channel',
      perform: async (call) => {
        const response = await call('POST', '/alerts/channels', {
          body: {
            name: 'audit-webhook',
            kind: 'webhook',
            // Nothing listens on the discard port: the test delivery fails fast and stays on this machine.
            url: 'http://127.0.0.1:9/audit?token=audit-channel-token-123',
            signing_secret: 'audit-signing-secret-0123456789',
          },
        });
        state.channel = ((await response.clone().json()) as { id: string }).id;
        return response;
      },
    },
    'PATCH /alerts/channels/:id': {
      action: 'alert_channel.update',
      targetType: 'alert_channel',
      perform: (call) =>
        call('PATCH', `/alerts/channels/${state.channel}`, { body: { name: 'audit-webhook-2', version: 1 } }),
    },
    'POST /alerts/channels/:id/test': {
      action: 'alert_channel.test',
      targetType: 'alert_channel',
      perform: (call) => call('POST', `/alerts/channels/${state.channel}/test`),
    },
  } satisfies Record<string, Scenario>);

  const refusals: Record<string, (call: Caller) => Promise<Response>> = {
    'DELETE /jobs/:id': (call) => call('DELETE', `/jobs/${state.job}`),
  };

  it('has a scenario for every mutating route in app.routes', () => {
    const prefix = api.config.apiPrefix;
    const mutating = new Set(
      api.app.routes
        .filter((route) => MUTATING.has(route.method) && route.path.startsWith(`${prefix}/`))
        .map((route) => `${route.method} ${route.path.slice(prefix.length)}`),
    );
    expect(mutating.size).toBeGreaterThan(10);
    expect([...mutating].filter((key) => !(key in scenarios) && !(key in refusals))).toEqual([]);
  });

  it('performs each mutation and finds its audit row with actor, target, trace_id and client IP', async () => {
    const prefix = api.config.apiPrefix;
    const performed: string[] = [];
    for (const [key, scenario] of Object.entries(scenarios)) {
      const traceId = `audit-${randomUUID()}`;
      const call: Caller = (method, path, init = {}) => {
        const headers: Record<string, string> = {
          ...bearer(admin),
          'X-Forwarded-For': '198.51.100.77',
          ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...init.headers,
        };
        if (headers.Authorization === '') delete headers.Authorization;
        // Only the mutation itself carries the trace id under test; reads made to prepare it do not.
        if (MUTATING.has(method)) headers['X-Request-Id'] = traceId;
        return Promise.resolve(
          api.app.request(
            `${prefix}${path}`,
            {
              method,
              headers,
              body: init.form ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
            },
            fromPeer('127.0.0.1'),
          ),
        );
      };
      const response = await scenario.perform(call);
      expect(response.status, `${key}: ${await response.clone().text()}`).toBeLessThan(300);
      const rows = await api.deps.db.app.query<AuditRow>(
        'select actor, action, target_type, target_id, before, after, trace_id, client_ip from audit_log where trace_id = $1',
        [traceId],
      );
      expect(rows, key).toHaveLength(1);
      const [row] = rows;
      expect(row, key).toMatchObject({
        actor: ADMIN.username,
        action: scenario.action,
        target_type: scenario.targetType,
        client_ip: '198.51.100.77',
      });
      expect(row!.target_id, key).toBeTruthy();
      expect(row!.before !== null || row!.after !== null || scenario.action === 'auth.login', key).toBe(true);
      // No secret ever lands in an audit row.
      const text = JSON.stringify(row);
      for (const secret of [
        ADMIN.password,
        'carol-password-123456',
        'another-password-123',
        'audit-channel-token-123',
        'audit-signing-secret-0123456789',
        admin,
      ]) {
        expect(text, key).not.toContain(secret);
      }
      performed.push(key);
    }
    expect(performed).toHaveLength(Object.keys(scenarios).length);
  });

  it('a refused mutation writes no audit row and changes nothing', async () => {
    const before = await api.deps.db.app.query<{ n: number }>('select count(*)::int as n from audit_log');
    for (const [key, perform] of Object.entries(refusals)) {
      const response = await perform((method, path) =>
        Promise.resolve(
          api.app.request(`${api.config.apiPrefix}${path}`, { method, headers: bearer(admin) }),
        ),
      );
      expect(response.status, key).toBe(405);
    }
    const after = await api.deps.db.app.query<{ n: number }>('select count(*)::int as n from audit_log');
    expect(after[0]!.n).toBe(before[0]!.n);
    const [job] = await api.deps.db.app.query('select id from scheduled_jobs where id = $1', [state.job]);
    expect(job).toBeDefined();
  });
});
