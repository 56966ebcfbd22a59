// The typed arguments form over app.request, as a browser without JavaScript posts it: a job saved from typed
// fields has exactly the kwargs typed, the service's 422 lands beside the field, "Add an item" answers the form
// with one more row and saves nothing, and a function switched without JavaScript asks for its arguments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminClient, jobFields, startAdminUi } from '../support/admin-session.ts';
import { bearer, type TestApi } from '../support/api-app.ts';

const HTTP = 'app.jobs.http:http_request';

/** The job form with the typed arguments of http_request (the JSON text is ignored in form mode). */
function httpForm(name: string, args: Record<string, string>): Record<string, string> {
  return jobFields({
    name,
    func: HTTP,
    kwargs: '{"ignored": true}',
    args_mode: 'form',
    args_func: HTTP,
    'kw.method': 'POST',
    'kw.url': 'https://example.com/hook',
    'kw.headers:present': 'true',
    'kw.headers.0.key': 'Accept',
    'kw.headers.0.value': 'application/json',
    'kw.headers.1.key': '',
    'kw.headers.1.value': '',
    'kw.secret_headers:present': 'true',
    'kw.secret_headers.0.key': '',
    'kw.secret_headers.0.value': '',
    'kw.body': '',
    'kw.timeout_seconds': '45',
    'kw.expected_status:present': 'true',
    'kw.expected_status.0': '200',
    'kw.expected_status.1': '204',
    'kw.expected_status.2': '',
    ...args,
  });
}

describe('typed arguments form (in process)', () => {
  let api: TestApi;
  let admin: AdminClient;

  beforeAll(async () => {
    ({ api, admin } = await startAdminUi());
  });
  afterAll(async () => {
    await api?.close();
  });

  async function jobNamed(name: string) {
    const token = await api.userToken('admin');
    const response = await api.app.request(`${api.config.apiPrefix}/jobs?q=${name}`, {
      headers: bearer(token),
    });
    const { items } = (await response.json()) as { items: { name: string; kwargs: unknown }[] };
    return items.find((job) => job.name === name);
  }

  it('renders the chosen function as typed fields (htmx fragment and server-rendered form alike)', async () => {
    const fragment = await (await admin.get(`/admin/function-args?func=${encodeURIComponent(HTTP)}`)).text();
    expect(fragment).toMatch(/<select[^>]*name="kw.method"/);
    expect(fragment).toMatch(/<input[^>]*name="kw.url"[^>]*type="url"/);
    expect(fragment).toMatch(
      /<input[^>]*name="kw.timeout_seconds"[^>]*type="number"[^>]*min="1"[^>]*max="600"/,
    );
    expect(fragment).toMatch(/name="kw.secret_headers.0.value" type="password"/);
    expect(fragment).toContain('name="args_mode" value="json"');
    const newForm = await (await admin.get('/admin/jobs/new')).text();
    expect(newForm).toContain('id="args-editor"');
  });

  it('saves exactly the typed kwargs', async () => {
    const response = await admin.post('/admin/jobs', httpForm('typed-http', {}));
    expect(response.status).toBe(303);
    expect((await jobNamed('typed-http'))?.kwargs).toEqual({
      method: 'POST',
      url: 'https://example.com/hook',
      headers: { Accept: 'application/json' },
      secret_headers: {},
      timeout_seconds: 45,
      expected_status: [200, 204],
    });
  });

  it("puts the service's 422 beside the field it is about, keeping what was typed", async () => {
    const response = await admin.post(
      '/admin/jobs',
      httpForm('typed-invalid', { 'kw.timeout_seconds': '9999', 'kw.expected_status.1': '999' }),
    );
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toMatch(/<input[^>]*id="arg-timeout_seconds"[^>]*value="9999"[^>]*aria-invalid="true"/);
    expect(html).toMatch(/id="arg-timeout_seconds-error">Too big/);
    expect(html).toMatch(/id="arg-expected_status-1-error">Too big/);
    expect(await jobNamed('typed-invalid')).toBeUndefined();
  });

  it('answers "Add an item" with the form and one more row, saving nothing', async () => {
    const response = await admin.post(
      '/admin/jobs',
      httpForm('typed-add-row', { _form_action: 'add:kw.expected_status' }),
    );
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/name="kw.expected_status.0"[^>]*value="200"/);
    expect(html).toMatch(/name="kw.expected_status.1"[^>]*value="204"/);
    expect(html).toMatch(/name="kw.expected_status.3"[^>]*value=""/);
    expect(await jobNamed('typed-add-row')).toBeUndefined();
  });

  it('answers htmx "Add row" with just the new row and the next button; an unknown list or index is a 404', async () => {
    const row = (query: string) => admin.get(`/admin/function-args/row?${query}`);
    const func = `func=${encodeURIComponent(HTTP)}`;
    const item = await row(`${func}&list=kw.expected_status&index=3`);
    expect(item.status).toBe(200);
    const html = await item.text();
    expect(html).toMatch(/^<div class="arg-row">/);
    expect(html).toMatch(/<input[^>]*name="kw.expected_status.3"[^>]*autofocus=""/);
    expect(html).toMatch(/<button[^>]*value="add:kw.expected_status"[^>]*hx-get="[^"]*index=4"/);
    expect(html).not.toContain('<form');
    const header = await (await row(`${func}&list=kw.secret_headers&index=1`)).text();
    expect(header).toMatch(/name="kw.secret_headers.1.key"[^>]*autofocus=""/);
    expect(header).toMatch(/name="kw.secret_headers.1.value" type="password"/);
    for (const query of [
      `${func}&list=kw.url&index=1`,
      `${func}&list=kw.nope&index=1`,
      `${func}&list=kw.expected_status&index=-1`,
      `${func}&list=kw.expected_status&index=1.5`,
      `${func}&list=kw.expected_status&index=1000`,
      `${func}&list=kw.expected_status`,
      'func=no.such:function&list=kw.expected_status&index=1',
    ]) {
      expect((await row(query)).status, query).toBe(404);
    }
  });

  it('asks for the arguments of a function picked without JavaScript', async () => {
    const response = await admin.post(
      '/admin/jobs',
      jobFields({
        name: 'typed-switch',
        func: HTTP,
        args_mode: 'form',
        args_func: 'app.jobs.heartbeat:hello_job',
        'kw.message': 'hi',
      }),
    );
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain(`Fill in the arguments of ${HTTP}, then save.`);
    expect(html).toMatch(/name="kw.url"/);
    expect(await jobNamed('typed-switch')).toBeUndefined();
  });

  it('uses the JSON text when JSON is chosen, with its problems under it', async () => {
    const invalid = await admin.post(
      '/admin/jobs',
      httpForm('typed-json', {
        args_mode: 'json',
        kwargs: '{"url": "https://example.com", "timeout_seconds": 0}',
      }),
    );
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toMatch(/id="kwargs-error">timeout_seconds: Too small/);
    const saved = await admin.post(
      '/admin/jobs',
      httpForm('typed-json', { args_mode: 'json', kwargs: '{"url": "https://example.com"}' }),
    );
    expect(saved.status).toBe(303);
    expect((await jobNamed('typed-json'))?.kwargs).toMatchObject({
      url: 'https://example.com',
      expected_status: [200],
    });
  });

  it('opens the edit form with the stored values in the typed fields', async () => {
    const token = await api.userToken('admin');
    const { id } = (await (
      await api.app.request(`${api.config.apiPrefix}/jobs`, {
        method: 'POST',
        headers: { ...bearer(token), 'Content-Type': 'application/json' },
        body: JSON.stringify({
          name: 'typed-edit',
          func: 'app.jobs.files:cleanup_files',
          cron: '0 3 * * *',
          kwargs: { older_than_days: 7, dry_run: false },
        }),
      })
    ).json()) as { id: string };
    const html = await (await admin.get(`/admin/jobs/${id}/edit`)).text();
    expect(html).toMatch(/name="kw.older_than_days"[^>]*value="7"/);
    // Both switches off: dry_run was saved false, only_soft_deleted took its default (false).
    expect(html).toMatch(
      /name="kw.dry_run" type="checkbox" role="switch" value="true"(?![^>]*checked)[^>]*>/,
    );
    expect(html).toMatch(
      /name="kw.only_soft_deleted" type="checkbox" role="switch" value="true"(?![^>]*checked)[^>]*>/,
    );
    expect(html).toMatch(/name="kw.max_files"[^>]*value="10000"/);
  });
});
