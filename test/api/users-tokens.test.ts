import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, bearer, startTestApi, type TestApi } from '../support/api-app.ts';

let api: TestApi;
let admin: string;
const path = (p: string) => `${api.config.apiPrefix}${p}`;
const send = (method: string, p: string, token: string, body?: unknown) =>
  api.app.request(path(p), {
    method,
    headers: { ...bearer(token), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.userToken('admin');
});
afterAll(async () => {
  await api?.close();
});

describe('users (admin)', () => {
  it('creates a user without ever returning the password or its hash, and audits it', async () => {
    const created = await send('POST', '/users', admin, {
      username: 'carol',
      password: 'carol-password-123',
      role: 'operator',
    });
    expect(created.status).toBe(201);
    const user = (await created.json()) as Record<string, unknown>;
    expect(user).toMatchObject({ username: 'carol', role: 'operator', disabled: false, created_by: 'admin' });
    expect(JSON.stringify(user)).not.toMatch(/password_hash|carol-password|scrypt/);
    expect(created.headers.get('location')).toBe(path(`/users/${user.id}`));
    const [row] = await api.deps.db.app.query<{ actor: string; after: unknown; before: unknown }>(
      "select * from audit_log where action = 'user.create' and target_id = $1",
      [user.id],
    );
    expect(row).toMatchObject({ actor: 'admin', before: null });
    expect(JSON.stringify(row)).not.toContain('carol-password');
  });

  it('refuses a duplicate name regardless of case (409) and a short password (422)', async () => {
    const duplicate = await send('POST', '/users', admin, {
      username: 'CAROL',
      password: 'another-password-1',
    });
    expect(duplicate.status).toBe(409);
    const short = await send('POST', '/users', admin, { username: 'dave', password: 'short' });
    expect(short.status).toBe(422);
    expect(((await short.json()) as { detail: { path: string }[] }).detail[0]!.path).toBe('password');
  });

  it('changes a role, disables (no delete), and keeps an admin from disabling themselves', async () => {
    const list = (await (await send('GET', '/users', admin)).json()) as {
      items: { id: string; username: string }[];
    };
    const carol = list.items.find((user) => user.username === 'carol')!;
    const promoted = await send('PATCH', `/users/${carol.id}`, admin, { role: 'admin' });
    expect(((await promoted.json()) as { role: string }).role).toBe('admin');
    const disabled = await send('PATCH', `/users/${carol.id}`, admin, { disabled: true });
    expect(((await disabled.json()) as { disabled: boolean }).disabled).toBe(true);
    const login = await api.app.request(path('/auth/token'), {
      method: 'POST',
      body: new URLSearchParams({ username: 'carol', password: 'carol-password-123' }),
    });
    expect(login.status).toBe(401);
    expect((await send('DELETE', `/users/${carol.id}`, admin)).status).toBe(405);

    const self = list.items.find((user) => user.username === ADMIN.username)!;
    expect((await send('PATCH', `/users/${self.id}`, admin, { disabled: true })).status).toBe(409);
    const audit = await api.deps.db.app.query<{ before: { role: string }; after: { disabled: boolean } }>(
      "select * from audit_log where action = 'user.disable' and target_id = $1",
      [carol.id],
    );
    expect(audit[0]).toMatchObject({ before: { role: 'admin' }, after: { disabled: true } });
  });

  it('answers 404 for an unknown id and for a malformed one (it names nothing)', async () => {
    expect((await send('GET', '/users/00000000-0000-4000-8000-000000000000', admin)).status).toBe(404);
    expect((await send('GET', '/users/not-a-uuid', admin)).status).toBe(404);
  });

  it('is refused to operators (403)', async () => {
    const operator = await api.userToken('operator');
    expect((await send('GET', '/users', operator)).status).toBe(403);
  });
});

describe('API tokens', () => {
  it('shows the secret once, authenticates with the token’s role, records last use, and stops on revoke', async () => {
    const created = await send('POST', '/tokens', admin, { name: 'ci-reader', role: 'viewer' });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const token = (await created.json()) as { id: string; token: string; prefix: string };
    expect(token.token.startsWith(token.prefix)).toBe(true);

    const me = await api.app.request(path('/auth/me'), { headers: bearer(token.token) });
    expect(await me.json()).toEqual({ subject: 'token:ci-reader', role: 'viewer', via: 'api_token' });
    // A viewer token cannot manage users.
    expect((await send('GET', '/users', token.token)).status).toBe(403);

    const listed = (await (await send('GET', '/tokens', admin)).json()) as {
      items: { id: string; last_used_at: string | null }[];
    };
    expect(JSON.stringify(listed)).not.toContain(token.token);
    expect(listed.items.find((item) => item.id === token.id)!.last_used_at).not.toBeNull();
    const [stored] = await api.deps.db.app.query<{ token_hash: string }>(
      'select token_hash from api_tokens where id = $1',
      [token.id],
    );
    expect(stored!.token_hash).not.toContain(token.token);

    const revoked = await send('DELETE', `/tokens/${token.id}`, admin);
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revoked_at: string | null }).revoked_at).not.toBeNull();
    const after = await api.app.request(path('/auth/me'), { headers: bearer(token.token) });
    expect(after.status).toBe(401);
    const actions = await api.deps.db.app.query<{ action: string; after: unknown }>(
      "select action, after from audit_log where target_type = 'api_token' and target_id = $1 order by id",
      [token.id],
    );
    expect(actions.map((row) => row.action)).toEqual(['token.create', 'token.revoke']);
    expect(JSON.stringify(actions)).not.toContain(token.token);
  });

  it('an operator token may use operator routes', async () => {
    const created = (await (
      await send('POST', '/tokens', admin, { name: 'uploader', role: 'operator' })
    ).json()) as {
      token: string;
    };
    const me = await api.app.request(path('/auth/me'), { headers: bearer(created.token) });
    expect(((await me.json()) as { role: string }).role).toBe('operator');
  });
});

describe('concurrent creates', () => {
  it('answer one 201 and 409s, never a 500, when the same name races', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const response = await send('POST', '/users', admin, {
          username: 'racer',
          password: 'racer-password-123',
        });
        return response.status;
      }),
    );
    expect(statuses.sort()).toEqual([201, 409, 409, 409]);
  });
});

describe('text Postgres cannot store', () => {
  it('answers 422, not 500, for control characters in a login name or a token name', async () => {
    const login = await api.app.request(path('/auth/token'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"username":"ad\\u0000min","password":"whatever"}',
    });
    expect(login.status).toBe(422);
    const token = await send('POST', '/tokens', admin, { name: 'bad\u0000name', role: 'viewer' });
    expect(token.status).toBe(422);
  });
});
