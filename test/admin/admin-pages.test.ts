// The admin UI over app.request: sessions, CSRF, roles, escaping and the no-JavaScript form flow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminClient, adminClient, jobFields, startAdminUi } from '../support/admin-session.ts';
import { ADMIN, bearer, startTestApi, type TestApi } from '../support/api-app.ts';

describe('admin UI (in process)', () => {
  let api: TestApi;
  let admin: AdminClient;

  beforeAll(async () => {
    ({ api, admin } = await startAdminUi());
  });
  afterAll(async () => {
    await api?.close();
  });

  async function createJob(name: string) {
    const token = await api.userToken('admin');
    const response = await api.app.request(`${api.config.apiPrefix}/jobs`, {
      method: 'POST',
      headers: { ...bearer(token), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, func: 'app.jobs.heartbeat:hello_job', cron: '*/5 * * * *' }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; version: number };
  }

  it('redirects every page to the login without a session, keeping a safe next', async () => {
    for (const path of [
      '/admin',
      '/admin/jobs',
      '/admin/jobs/new',
      '/admin/audit',
      '/admin/cron-preview?cron=x',
    ]) {
      const response = await api.app.request(path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get('location'), path).toMatch(/^\/admin\/login/);
    }
    const response = await api.app.request('/admin/jobs?q=a');
    expect(response.headers.get('location')).toBe(
      `/admin/login?next=${encodeURIComponent('/admin/jobs?q=a')}`,
    );
    const htmx = await api.app.request('/admin/jobs/rows', { headers: { 'HX-Request': 'true' } });
    expect(htmx.status).toBe(401);
    expect(htmx.headers.get('hx-redirect')).toMatch(/^\/admin\/login/);
  });

  it('logs in with a signed HttpOnly cookie and never redirects off the site after login', async () => {
    const client = await adminClient(api);
    const response = await client.post('/admin/login', { ...ADMIN, next: '//evil.example/x' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/jobs');
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('admin_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/admin/);
    expect(cookie).not.toContain(ADMIN.password);
    const page = await client.get('/admin/jobs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html.startsWith('<!doctype html>')).toBe(true); // standards mode, not quirks
    expect(html).not.toMatch(/<script>|<style|style="/);
  });

  it('shows a wrong password plainly and audits it', async () => {
    const client = await adminClient(api);
    const response = await client.post('/admin/login', { username: ADMIN.username, password: 'nope-nope' });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('Incorrect username or password');
  });

  it('locks a username out after repeated failures (the same guard as the API) and says so', async () => {
    const client = await adminClient(api);
    let last: Response | undefined;
    for (let attempt = 0; attempt <= api.config.auth.lockoutThreshold; attempt++) {
      last = await client.post('/admin/login', { username: 'ghost', password: `wrong-${attempt}` });
    }
    expect(last!.status).toBe(429);
    expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await last!.text()).toContain('Too many failed logins');
  });

  it('refuses a form post without the CSRF token', async () => {
    const job = await createJob('csrf-target');
    const response = await admin.post(`/admin/jobs/${job.id}/toggle`, { enabled: 'false' }, { csrf: false });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('security token');
    const wrong = await admin.post(
      `/admin/jobs/${job.id}/toggle`,
      { enabled: 'false', _csrf: 'forged' },
      { csrf: false },
    );
    expect(wrong.status).toBe(403);
    const login = await (await adminClient(api)).post('/admin/login', ADMIN, { csrf: false });
    expect(login.status).toBe(403);
  });

  it('toggles with a plain form post and redirects back (no JavaScript), or answers the row to htmx', async () => {
    const job = await createJob('toggle-me');
    const response = await admin.post(`/admin/jobs/${job.id}/toggle`, {
      enabled: 'false',
      return_to: '/admin/jobs?q=toggle',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/jobs?q=toggle&done=disabled');
    const page = await admin.get('/admin/jobs?q=toggle&done=disabled');
    const html = await page.text();
    expect(html).toContain('Job disabled.');
    expect(html).toContain('aria-checked="false"');
    const fragment = await admin.post(
      `/admin/jobs/${job.id}/toggle`,
      { enabled: 'true' },
      { headers: { 'HX-Request': 'true' } },
    );
    expect(fragment.status).toBe(200);
    const row = await fragment.text();
    expect(row).toMatch(/^<tr id="job-/);
    expect(row).toContain('aria-checked="true"');
  });

  it('opens the new-job form with the defaults of the create schema', async () => {
    const html = await (await admin.get('/admin/jobs/new')).text();
    expect(html).toContain(
      'name="timeout_seconds" type="number" inputmode="numeric" min="1" max="86400" required="" value="300"',
    );
    expect(html).toMatch(/<option value="run_once" selected="">/);
    expect(html).toContain('value="UTC"');
  });

  it('creates a job through the form, showing field errors first (PRG on success)', async () => {
    const fields = jobFields({
      name: 'made-by-form',
      kwargs: '{"message": 5}',
      cron: '61 * * * *',
      timezone: 'Europe/Berlin',
      timeout_seconds: '30',
    });
    const invalid = await admin.post('/admin/jobs', fields);
    expect(invalid.status).toBe(422);
    const html = await invalid.text();
    expect(html).toContain('id="cron-error"');
    expect(html).toMatch(/id="kwargs-error">message: /);
    const saved = await admin.post('/admin/jobs', {
      ...fields,
      kwargs: '{"message": "hi"}',
      cron: '0 9 * * 1-5',
    });
    expect(saved.status).toBe(303);
    const location = saved.headers.get('location')!;
    expect(location).toMatch(/^\/admin\/jobs\/[0-9a-f-]{36}\?done=created$/);
    const page = await admin.get(location);
    expect(await page.text()).toContain('Job created.');
  });

  it("sets, shows and clears a job's own run-history retention through the form, with per-field 422s", async () => {
    const form = await (await admin.get('/admin/jobs/new')).text();
    expect(form).toContain(
      'name="retention_max_runs" type="number" inputmode="numeric" min="1" max="100000" value=""',
    );
    expect(form).toContain(
      'name="retention_max_age_days" type="number" inputmode="numeric" min="1" max="3650" value=""',
    );

    const fields = jobFields({
      name: 'kept-by-form',
      retention_max_runs: '0',
      retention_max_age_days: 'soon',
    });
    const invalid = await admin.post('/admin/jobs', fields);
    expect(invalid.status).toBe(422);
    const html = await invalid.text();
    expect(html).toMatch(/<p class="field-error" id="retention_max_runs-error">[^<]*1/);
    expect(html).toContain('id="retention_max_age_days-error"');
    expect(html).toContain('aria-describedby="retention_max_runs-hint retention_max_runs-error"');
    expect(html).toContain('value="soon"');

    const saved = await admin.post('/admin/jobs', {
      ...fields,
      retention_max_runs: '250',
      retention_max_age_days: '',
    });
    expect(saved.status).toBe(303);
    const location = saved.headers.get('location')!;
    const jobId = location.split('/')[3]!.split('?')[0]!;
    expect(await (await admin.get(location)).text()).toContain(
      '<dd id="retention">the newest 250 runs, within the global policy: runs older than 30 days (RUN_RETENTION_DAYS) go',
    );
    const edit = await (await admin.get(`/admin/jobs/${jobId}/edit`)).text();
    expect(edit).toContain(
      'name="retention_max_runs" type="number" inputmode="numeric" min="1" max="100000" value="250"',
    );

    const token = await api.userToken('admin');
    const read = async () =>
      (await (
        await api.app.request(`${api.config.apiPrefix}/jobs/${jobId}`, { headers: bearer(token) })
      ).json()) as {
        version: number;
        retention_max_runs: number | null;
        retention_max_age_days: number | null;
      };
    const before = await read();
    expect(before).toMatchObject({ retention_max_runs: 250, retention_max_age_days: null });
    const cleared = await admin.post(
      `/admin/jobs/${jobId}`,
      jobFields({
        name: 'kept-by-form',
        version: String(before.version),
        retention_max_runs: '',
        retention_max_age_days: '7',
      }),
    );
    expect(cleared.status).toBe(303);
    expect(await read()).toMatchObject({ retention_max_runs: null, retention_max_age_days: 7 });
    expect(await (await admin.get(`/admin/jobs/${jobId}`)).text()).toContain(
      '<dd id="retention">runs for at most 7 days</dd>',
    );
  });

  it('shows a version conflict with the newer values', async () => {
    const job = await createJob('conflicted');
    const token = await api.userToken('admin');
    await api.app.request(`${api.config.apiPrefix}/jobs/${job.id}`, {
      method: 'PATCH',
      headers: { ...bearer(token), 'Content-Type': 'application/json', 'If-Match': `"${job.version}"` },
      body: JSON.stringify({ description: 'changed elsewhere' }),
    });
    const edit = await admin.get(`/admin/jobs/${job.id}/edit`);
    expect(edit.status).toBe(200);
    const response = await admin.post(
      `/admin/jobs/${job.id}`,
      jobFields({ version: String(job.version), name: 'conflicted', description: 'mine' }),
    );
    expect(response.status).toBe(409);
    const html = await response.text();
    expect(html).toContain('Someone else changed this job');
    expect(html).toContain('changed elsewhere');
    expect(html).toContain('value="mine"');
  });

  it('escapes job names and run output', async () => {
    const job = await createJob('<script>alert(1)</script>');
    const list = await (await admin.get('/admin/jobs')).text();
    expect(list).not.toContain('<script>alert(1)</script>');
    expect(list).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const page = await (await admin.get(`/admin/jobs/${job.id}`)).text();
    expect(page).not.toContain('<script>alert(1)</script>');
  });

  it('gives a viewer no mutating controls and refuses their mutations with a 403 page', async () => {
    const job = await createJob('viewer-sees');
    await api.userToken('viewer');
    const viewer = await adminClient(api, { username: 'viewer-1', password: 'viewer-password-123456' });
    const list = await (await viewer.get('/admin/jobs')).text();
    expect(list).not.toContain('role="switch"');
    expect(list).not.toContain('New job');
    const page = await (await viewer.get(`/admin/jobs/${job.id}`)).text();
    expect(page).not.toContain('Run now');
    expect(page).not.toContain('Archive');
    for (const path of [
      `/admin/jobs/${job.id}/toggle`,
      `/admin/jobs/${job.id}/run`,
      `/admin/jobs/${job.id}/archive`,
    ]) {
      const response = await viewer.post(path, { enabled: 'false' });
      expect(response.status, path).toBe(403);
      expect(await response.text()).toContain('Not allowed');
    }
    expect((await viewer.get('/admin/jobs/new')).status).toBe(403);
  });

  it('archives and unarchives, never deletes, and audits who did it', async () => {
    const job = await createJob('archivable');
    const archived = await admin.post(`/admin/jobs/${job.id}/archive`, {});
    expect(archived.status).toBe(303);
    const page = await (await admin.get(`/admin/jobs/${job.id}`)).text();
    expect(page).toContain('Unarchive');
    expect(page).not.toMatch(/delete/i);
    const audit = await (await admin.get('/admin/audit')).text();
    expect(audit).toContain('job.archive');
    expect(audit).toContain('archived_at');
  });

  it('previews cron as a fragment with the same helper as the API', async () => {
    const bad = await (await admin.get('/admin/cron-preview?cron=61+*+*+*+*&timezone=UTC')).text();
    expect(bad).toContain('Invalid cron');
    const good = await (await admin.get('/admin/cron-preview?cron=0+9+*+*+*&timezone=Asia/Seoul')).text();
    expect(good.match(/<li>/g)?.length).toBe(5);
    expect(good).toContain('+09:00');
  });

  it('retries a dead run from the job page, shows its error as text, and refuses viewers', async () => {
    const job = await createJob('dies');
    const [dead] = await api.deps.db.app.query<{ id: string }>(
      `insert into job_runs (job_id, scheduled_for, trigger, status, attempt, error, finished_at)
       values ($1, now() - interval '1 hour', 'schedule', 'dead', 1, $2::jsonb, now()) returning id`,
      [job.id, JSON.stringify({ message: '<img src=x onerror=alert(1)> boom' })],
    );
    const page = await (await admin.get(`/admin/jobs/${job.id}?status=dead`)).text();
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt; boom');
    expect(page).toContain(`action="/admin/runs/${dead!.id}/retry"`);
    const viewer = await adminClient(api, { username: 'viewer-1', password: 'viewer-password-123456' });
    expect((await viewer.post(`/admin/runs/${dead!.id}/retry`, {})).status).toBe(403);
    const response = await admin.post(`/admin/runs/${dead!.id}/retry`, {
      return_to: `/admin/jobs/${job.id}`,
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/admin/jobs/${job.id}?done=retried`);
    const after = await (await admin.get(`/admin/jobs/${job.id}/runs?status=queued`)).text();
    expect(after).toContain('data-status="queued"');
    expect(after).toContain('attempt 2');
  });

  it('answers a 404 page for unknown jobs and a 409 page for editing an archived job, never a 500', async () => {
    for (const path of [
      '/admin/jobs/not-a-uuid',
      '/admin/jobs/7b0e4c1e-5f7a-4b8e-9d9a-6f1c2b3a4d5e',
      '/admin/nope',
    ]) {
      const response = await admin.get(path);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).toContain('Not found');
    }
    const job = await createJob('archived-then-edited');
    await admin.post(`/admin/jobs/${job.id}/archive`, {});
    expect((await admin.get(`/admin/jobs/${job.id}/edit`)).status).toBe(409);
    expect((await admin.get('/admin/jobs?page=abc&status=bogus&archived=weird')).status).toBe(200);
    expect((await admin.get('/admin/cron-preview?cron=*+*+*+*+*&timezone=Not/AZone')).status).toBe(200);
  });

  it('logs out: the session cookie is cleared and pages redirect again', async () => {
    const client = await adminClient(api, ADMIN);
    const response = await client.post('/admin/logout', {});
    expect(response.status).toBe(303);
    expect((await client.get('/admin/jobs')).status).toBe(303);
  });
});

describe('admin UI behind HTTPS (SECURE_COOKIES=true)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ SECURE_COOKIES: 'true' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('marks the session and CSRF cookies Secure', async () => {
    const client = await adminClient(api);
    const response = await client.post('/admin/login', { ...ADMIN, next: '/admin/jobs' });
    expect(response.status).toBe(303);
    const cookies = response.headers.getSetCookie();
    for (const name of ['admin_session=', 'admin_csrf=']) {
      const cookie = cookies.find((c) => c.startsWith(name));
      expect(cookie, name).toMatch(/; Secure/);
      expect(cookie, name).toMatch(/HttpOnly/);
    }
  });
});
