// What a new operator meets: a fresh install's jobs page explains jobs and offers example jobs (added disabled,
// audited); a lockout says when it ends; an admin unlocks a user through the API (in the OpenAPI document) or the
// users page, and both are audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminClient, adminClient, startAdminUi } from '../support/admin-session.ts';
import { ADMIN, bearer, type TestApi } from '../support/api-app.ts';

describe('first run and lockouts (in process)', () => {
  let api: TestApi;
  let admin: AdminClient;
  let token: string;

  beforeAll(async () => {
    ({ api, admin } = await startAdminUi());
    token = await api.userToken('admin');
  });
  afterAll(async () => {
    await api?.close();
  });

  const apiGet = async <T>(path: string) =>
    (await (await api.app.request(`${api.config.apiPrefix}${path}`, { headers: bearer(token) })).json()) as T;

  it('explains jobs on an empty install and adds the examples disabled, audited', async () => {
    const empty = await (await admin.get('/admin/jobs')).text();
    expect(empty).toContain('No jobs yet');
    expect(empty).toContain('runs one of this build');
    expect(empty).toMatch(/<a class="button" href="\/admin\/jobs\/new">New job<\/a>/);
    expect(empty).not.toContain('No jobs match');

    const added = await admin.post('/admin/jobs/examples', {});
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/admin/jobs?done=examples');
    const { items } = await apiGet<{ items: { name: string; enabled: boolean }[] }>('/jobs?page_size=100');
    expect(items.length).toBeGreaterThanOrEqual(4);
    expect(items.every((job) => job.name.startsWith('example-') && !job.enabled)).toBe(true);
    const audit = await api.deps.db.app.query<{ n: number }>(
      `select count(*)::int as n from audit_log where action = 'job.create' and actor = $1`,
      [ADMIN.username],
    );
    expect(audit[0]!.n).toBe(items.length);
    // Adding them again changes nothing, and the page now lists jobs.
    expect((await admin.post('/admin/jobs/examples', {})).status).toBe(303);
    expect((await apiGet<{ total: number }>('/jobs')).total).toBe(items.length);
    expect(await (await admin.get('/admin/jobs')).text()).not.toContain('No jobs yet');
  });

  it('says when a lockout ends, and an admin unlocks through the API (audited)', async () => {
    const created = await api.app.request(`${api.config.apiPrefix}/users`, {
      method: 'POST',
      headers: { ...bearer(token), 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'typo-user', password: 'typo-user-password-1', role: 'viewer' }),
    });
    const user = (await created.json()) as { id: string };
    const client = await adminClient(api);
    let last: Response | undefined;
    for (let attempt = 0; attempt <= api.config.auth.lockoutThreshold; attempt++) {
      last = await client.post('/admin/login', { username: 'typo-user', password: `wrong-${attempt}` });
    }
    expect(last!.status).toBe(429);
    expect(await last!.text()).toMatch(
      /locked until \d\d:\d\d UTC \(in \d+ min\)\. An admin can unlock it sooner\./,
    );

    const users = await (await admin.get('/admin/users')).text();
    expect(users).toMatch(/data-user="typo-user"[\s\S]*?locked until/);

    const unlock = await api.app.request(`${api.config.apiPrefix}/users/${user.id}/unlock`, {
      method: 'POST',
      headers: bearer(token),
    });
    expect(unlock.status).toBe(200);
    expect(await unlock.json()).toMatchObject({ user: { username: 'typo-user' }, was_locked: true });
    const again = await client.post('/admin/login', {
      username: 'typo-user',
      password: 'typo-user-password-1',
    });
    expect(again.status).toBe(303);
    const rows = await api.deps.db.app.query<{ actor: string }>(
      `select actor from audit_log where action = 'user.unlock' and target_id = $1`,
      [user.id],
    );
    expect(rows).toEqual([{ actor: ADMIN.username }]);

    const viewer = await api.userToken('viewer');
    const refused = await api.app.request(`${api.config.apiPrefix}/users/${user.id}/unlock`, {
      method: 'POST',
      headers: bearer(viewer),
    });
    expect(refused.status).toBe(403);
    const doc = (await (await api.app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.paths['/api/v1/users/{id}/unlock']?.post).toBeDefined();
  });

  it('unlocks from the users page (admins only)', async () => {
    const client = await adminClient(api);
    for (let attempt = 0; attempt <= api.config.auth.lockoutThreshold; attempt++) {
      await client.post('/admin/login', { username: 'typo-user', password: `wrong-again-${attempt}` });
    }
    const page = await (await admin.get('/admin/users')).text();
    const action = /action="(\/admin\/users\/[0-9a-f-]{36}\/unlock)"/.exec(page)![1]!;
    const unlocked = await admin.post(action, {});
    expect(unlocked.status).toBe(303);
    expect(await (await admin.get('/admin/users')).text()).not.toMatch(
      /data-user="typo-user"[\s\S]*?locked until/,
    );
    expect(
      (await client.post('/admin/login', { username: 'typo-user', password: 'typo-user-password-1' })).status,
    ).toBe(303);
  });
});
