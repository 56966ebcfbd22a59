import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../src/kv/index.ts';
import { ADMIN, bearer, startTestApi, type TestApi } from '../support/api-app.ts';
import { fromPeer } from '../support/client-peer.ts';
import { realRedisUrl } from '../support/real-servers.ts';

let api: TestApi;
const path = (p: string) => `${api.config.apiPrefix}${p}`;
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

beforeAll(async () => {
  api = await startTestApi({
    LOGIN_LOCKOUT_THRESHOLD: '3',
    LOGIN_MAX_ATTEMPTS_PER_MINUTE: '1000',
    TRUSTED_PROXIES: '127.0.0.1',
  });
});
afterAll(async () => {
  await api?.close();
});

async function auditRows(action: string) {
  return api.deps.db.app.query<{
    actor: string;
    target_id: string | null;
    before: unknown;
    after: unknown;
    trace_id: string;
    client_ip: string;
  }>('select * from audit_log where action = $1 order by id', [action]);
}

describe('POST /auth/token', () => {
  it('issues a bearer JWT for form credentials (OAuth2 password flow) that authenticates', async () => {
    const response = await api.app.request(
      path('/auth/token'),
      {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          username: ADMIN.username,
          password: ADMIN.password,
        }),
        headers: { 'X-Forwarded-For': '203.0.113.7' },
      },
      fromPeer('127.0.0.1'),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe('bearer');
    expect(body.expires_in).toBe(api.config.auth.accessTokenMinutes * 60);
    const me = await api.app.request(path('/auth/me'), { headers: bearer(body.access_token) });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ subject: 'admin', role: 'admin', via: 'jwt' });
    const logins = await auditRows('auth.login');
    expect(logins.at(-1)).toMatchObject({ actor: 'admin', client_ip: '203.0.113.7' });
  });

  it('accepts JSON credentials too', async () => {
    const response = await api.app.request(path('/auth/token'), {
      method: 'POST',
      ...json({ username: ADMIN.username, password: ADMIN.password }),
    });
    expect(response.status).toBe(200);
  });

  it('answers 401 in the envelope for a wrong password and audits the failure without the password', async () => {
    const response = await api.app.request(path('/auth/token'), {
      method: 'POST',
      ...json({ username: ADMIN.username, password: 'not-the-password' }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      error_code: 'invalid_credentials',
      trace_id: response.headers.get('x-request-id'),
    });
    const failures = await auditRows('auth.login_failed');
    expect(failures.length).toBeGreaterThan(0);
    expect(JSON.stringify(failures)).not.toContain('not-the-password');
  });

  it('answers 422 for missing fields and 415 for another content type, never 500', async () => {
    const missing = await api.app.request(path('/auth/token'), {
      method: 'POST',
      ...json({ username: 'x' }),
    });
    expect(missing.status).toBe(422);
    const text = await api.app.request(path('/auth/token'), {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'username=admin',
    });
    expect(text.status).toBe(415);
  });

  it('locks a username after repeated failures: 429 with Retry-After even for the right password', async () => {
    const admin = await api.userToken('admin');
    await api.app.request(path('/users'), {
      method: 'POST',
      ...json({ username: 'lockme', password: 'lockme-password-123', role: 'viewer' }, bearer(admin)),
    });
    const attempt = (password: string) =>
      api.app.request(path('/auth/token'), { method: 'POST', ...json({ username: 'lockme', password }) });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong-password')).status).toBe(401);
    const locked = await attempt('lockme-password-123');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await locked.json()) as { error_code: string }).error_code).toBe('login_locked');
    // Other users are not affected.
    expect(
      (
        await api.app.request(path('/auth/token'), {
          method: 'POST',
          ...json({ username: ADMIN.username, password: ADMIN.password }),
        })
      ).status,
    ).toBe(200);
  });

  it('never writes passwords or tokens to the logs', async () => {
    const token = await api.login(ADMIN.username, ADMIN.password);
    await api.app.request(path('/auth/me'), { headers: bearer(token) });
    const all = api.logs.join('\n');
    expect(all).not.toContain(ADMIN.password);
    expect(all).not.toContain(token);
    expect(all).not.toContain('wrong-password');
  });
});

describe.skipIf(!realRedisUrl())('login rate limit per IP on real Redis', () => {
  it('answers 429 with Retry-After past the per-minute budget of one address, not for another', async () => {
    const kv = createRedisStore(realRedisUrl()!);
    await kv.client.connect();
    const limited = await startTestApi(
      { LOGIN_MAX_ATTEMPTS_PER_MINUTE: '3', TRUSTED_PROXIES: '127.0.0.1' },
      { kv },
    );
    try {
      const octet = Math.floor(Math.random() * 250) + 1;
      const ip = `198.51.100.${octet}`;
      const attempt = (from: string, username = `nobody-${ip}`) =>
        limited.app.request(
          `${limited.config.apiPrefix}/auth/token`,
          {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `10.0.0.1, ${from}` },
            body: JSON.stringify({ username, password: 'whatever' }),
          },
          fromPeer('127.0.0.1'),
        );
      const statuses: number[] = [];
      // A window boundary can reset the count once; 7 attempts cross the budget of 3 either way.
      for (let i = 0; i < 7; i++) statuses.push((await attempt(ip)).status);
      expect(statuses).toContain(429);
      const refused = await attempt(ip);
      if (refused.status === 429) {
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(((await refused.json()) as { error_code: string }).error_code).toBe('rate_limited');
      }
      // Another address, and another username: on a slow machine the attempts above can span a window
      // boundary, and the failures that then got through may have locked `nobody-${ip}` itself.
      expect((await attempt(`198.51.100.${(octet % 250) + 1}`, `nobody-other-${ip}`)).status).not.toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe('JWT validity follows the user row', () => {
  it('refuses a token after the user is disabled and after a password reset', async () => {
    const admin = await api.userToken('admin');
    const viewer = await api.userToken('viewer');
    const me = await api.app.request(path('/auth/me'), { headers: bearer(viewer) });
    const { subject } = (await me.json()) as { subject: string };
    const list = (await (await api.app.request(path('/users'), { headers: bearer(admin) })).json()) as {
      items: { id: string; username: string }[];
    };
    const id = list.items.find((user) => user.username === subject)!.id;
    const disable = await api.app.request(path(`/users/${id}`), {
      method: 'PATCH',
      ...json({ disabled: true }, bearer(admin)),
    });
    expect(disable.status).toBe(200);
    const after = await api.app.request(path('/auth/me'), { headers: bearer(viewer) });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error_code: string }).error_code).toBe('invalid_token');

    const operator = await api.userToken('operator');
    const operatorName = (
      (await (await api.app.request(path('/auth/me'), { headers: bearer(operator) })).json()) as {
        subject: string;
      }
    ).subject;
    const users = (await (await api.app.request(path('/users'), { headers: bearer(admin) })).json()) as {
      items: { id: string; username: string }[];
    };
    const operatorId = users.items.find((user) => user.username === operatorName)!.id;
    const reset = await api.app.request(path(`/users/${operatorId}/password`), {
      method: 'POST',
      ...json({ password: 'a-brand-new-password-42' }, bearer(admin)),
    });
    expect(reset.status).toBe(200);
    expect(JSON.stringify(await reset.json())).not.toContain('a-brand-new-password-42');
    expect((await api.app.request(path('/auth/me'), { headers: bearer(operator) })).status).toBe(401);
    const fresh = await api.login(operatorName, 'a-brand-new-password-42');
    expect((await api.app.request(path('/auth/me'), { headers: bearer(fresh) })).status).toBe(200);
    const resets = await auditRows('user.reset_password');
    expect(JSON.stringify(resets)).not.toContain('a-brand-new-password-42');
  });

  it('refuses garbage, a token signed with another key, and answers 401 with WWW-Authenticate', async () => {
    for (const header of ['Bearer nonsense', 'Basic YWRtaW46YWRtaW4=', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x']) {
      const response = await api.app.request(path('/auth/me'), { headers: { Authorization: header } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
    }
  });
});
