// GET /api/v1/audit (admins): newest first, paginated, filtered by actor, action (or a kind of action), target and
// time; refused to other roles; in the OpenAPI document. The admin audit page filters the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../support/admin-session.ts';
import { ADMIN, bearer, startTestApi, type TestApi } from '../support/api-app.ts';

interface AuditPage {
  items: { action: string; actor: string; target_type: string; target_id: string | null; at: string }[];
  total: number;
  page: number;
  page_size: number;
}

describe('GET /api/v1/audit', () => {
  let api: TestApi;
  let token: string;
  let jobId: string;
  const started = new Date(Date.now() - 1000).toISOString();

  const get = async (query: string, auth = token) =>
    api.app.request(`${api.config.apiPrefix}/audit${query}`, { headers: bearer(auth) });

  beforeAll(async () => {
    api = await startTestApi();
    token = await api.userToken('admin');
    const send = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
      api.app.request(`${api.config.apiPrefix}${path}`, {
        method,
        headers: { ...bearer(token), 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const created = await send('POST', '/jobs', {
      name: 'audited',
      func: 'app.jobs.heartbeat:hello_job',
      cron: '0 0 * * *',
    });
    jobId = ((await created.json()) as { id: string }).id;
    expect(
      (await send('PATCH', `/jobs/${jobId}`, { description: 'one' }, { 'If-Match': '"1"' })).status,
    ).toBe(200);
    expect(
      (await send('PATCH', `/jobs/${jobId}`, { description: 'two' }, { 'If-Match': '"2"' })).status,
    ).toBe(200);
    await send('POST', '/jobs', { name: 'other', func: 'app.jobs.heartbeat:hello_job', cron: '0 1 * * *' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('pages newest first with the total', async () => {
    const response = await get('?page_size=2');
    expect(response.status).toBe(200);
    const body = (await response.json()) as AuditPage;
    expect(body).toMatchObject({ page: 1, page_size: 2 });
    expect(body.items).toHaveLength(2);
    expect(body.total).toBeGreaterThanOrEqual(4);
    expect(body.items[0]!.at >= body.items[1]!.at).toBe(true);
    const second = (await (await get('?page_size=2&page=2')).json()) as AuditPage;
    expect(second.items[0]!.at <= body.items[1]!.at).toBe(true);
  });

  it('filters by action, kind of action, target and time', async () => {
    const updates = (await (await get('?action=job.update')).json()) as AuditPage;
    expect(updates.total).toBe(2);
    expect(updates.items.every((entry) => entry.action === 'job.update')).toBe(true);
    const jobActions = (await (await get(`?action=job.&target_id=${jobId}`)).json()) as AuditPage;
    expect(jobActions.items.map((entry) => entry.action).sort()).toEqual([
      'job.create',
      'job.update',
      'job.update',
    ]);
    const byType = (await (await get('?target_type=user&action=user.create')).json()) as AuditPage;
    expect(byType.items.every((entry) => entry.target_type === 'user')).toBe(true);
    const future = encodeURIComponent(new Date(Date.now() + 60_000).toISOString());
    expect(((await (await get(`?from=${future}`)).json()) as AuditPage).total).toBe(0);
    const window = (await (
      await get(`?from=${encodeURIComponent(started)}&action=job.create`)
    ).json()) as AuditPage;
    expect(window.total).toBe(2);
    const byActor = (await (
      await get(`?actor=${ADMIN.username.toUpperCase()}&action=job.create`)
    ).json()) as AuditPage;
    expect(byActor.total).toBe(2);
    // A LIKE wildcard in the filter is matched literally.
    expect(((await (await get('?action=%25.')).json()) as AuditPage).total).toBe(0);
  });

  it('is for admins only, refuses bad filters with 422, and is in the OpenAPI document', async () => {
    expect((await get('', await api.userToken('operator'))).status).toBe(403);
    expect((await api.app.request(`${api.config.apiPrefix}/audit`)).status).toBe(401);
    expect((await get('?from=yesterday')).status).toBe(422);
    expect((await get('?page_size=1000')).status).toBe(422);
    const doc = (await (await api.app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    };
    const names = doc.paths['/api/v1/audit']?.get?.parameters?.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['actor', 'action', 'target_type', 'target_id', 'from', 'to', 'page']),
    );
  });

  it('filters the admin audit page the same way, as a link', async () => {
    const admin = await adminClient(api, ADMIN);
    const html = await (await admin.get(`/admin/audit?action=job.update&target_id=${jobId}`)).text();
    expect(html).toMatch(/<input id="action" name="action" value="job.update"/);
    expect(html.match(/<code>job\.update<\/code>/g)).toHaveLength(2);
    expect(html).not.toContain('<code>job.create</code>');
    const bad = await (await admin.get('/admin/audit?from=soon')).text();
    expect(bad).toContain('Ignored from: not a date and time.');
    const none = await (await admin.get('/admin/audit?actor=nobody')).text();
    expect(none).toContain('No entries match these filters.');
  });
});
