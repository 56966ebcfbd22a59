// Secret job arguments in the admin UI: shown only as set/unset on every page, and an edit saved from the
// form (which carries {"set": true}) keeps the stored, encrypted value.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEncryptionKeys } from '../../src/config/encryption-keys.ts';
import { createSecretBox, isSealedSecret } from '../../src/secrets/secret-box.ts';
import { type AdminClient, jobFields, startAdminUi } from '../support/admin-session.ts';
import { bearer, type TestApi } from '../support/api-app.ts';

const SECRET = `Bearer admin-ui-secret-${randomBytes(8).toString('hex')}`;
const KEY = randomBytes(32).toString('base64');
const box = createSecretBox(parseEncryptionKeys(KEY, 'k1', undefined));

describe('secret job arguments in the admin UI', () => {
  let api: TestApi;
  let admin: AdminClient;
  let jobId: string;

  beforeAll(async () => {
    ({ api, admin } = await startAdminUi({
      ENCRYPTION_KEY: KEY,
      ENCRYPTION_KEY_ID: 'k1',
    }));
    const token = await api.userToken('admin');
    const created = await api.app.request(`${api.config.apiPrefix}/jobs`, {
      method: 'POST',
      headers: { ...bearer(token), 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'call-partner-api',
        func: 'app.jobs.http:http_request',
        cron: '0 * * * *',
        kwargs: { url: 'https://partner.example/hook', secret_headers: { Authorization: SECRET } },
      }),
    });
    expect(created.status).toBe(201);
    jobId = ((await created.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await api?.close();
  });

  const storedAuthorization = async () => {
    const [row] = await api.deps.db.app.query<{ kwargs: { secret_headers?: { Authorization?: unknown } } }>(
      'select kwargs from scheduled_jobs where id = $1',
      [jobId],
    );
    return row!.kwargs.secret_headers?.Authorization;
  };

  it('never renders the secret on the list, job, edit and audit pages', async () => {
    for (const path of ['/admin/jobs', `/admin/jobs/${jobId}`, `/admin/jobs/${jobId}/edit`, '/admin/audit']) {
      const response = await admin.get(path);
      expect(response.status, path).toBe(200);
      const html = await response.text();
      expect(html, path).not.toContain(SECRET);
      expect(html, path).not.toContain(SECRET.slice('Bearer '.length));
    }
    const edit = await (await admin.get(`/admin/jobs/${jobId}/edit`)).text();
    // The editor shows that a value is stored, not what it is.
    expect(edit).toMatch(/&quot;set&quot;:\s*true|"set":\s*true/);
  });

  it('keeps the stored secret when the edit form is saved unchanged', async () => {
    const before = await storedAuthorization();
    expect(before).toMatchObject({ $secret: { kid: 'k1' } });
    expect(isSealedSecret(before) && box.open(before)).toBe(SECRET);
    // What the edit form holds: the job as the service shows it, secrets as {"set": true}.
    const token = await api.userToken('admin');
    const shown = (await (
      await api.app.request(`${api.config.apiPrefix}/jobs/${jobId}`, { headers: bearer(token) })
    ).json()) as { version: number; kwargs: Record<string, unknown> };
    expect(shown.kwargs.secret_headers).toEqual({ Authorization: { set: true } });
    const saved = await admin.post(
      `/admin/jobs/${jobId}`,
      jobFields({
        version: String(shown.version),
        name: 'call-partner-api',
        func: 'app.jobs.http:http_request',
        kwargs: JSON.stringify(shown.kwargs, null, 2),
        cron: '30 * * * *',
      }),
    );
    expect(saved.status, await saved.clone().text()).toBe(303);
    const after = await storedAuthorization();
    // Still sealed, still the same secret: the form's {"set": true} kept it rather than replacing or clearing it.
    expect(after).toMatchObject({ $secret: { kid: 'k1' } });
    expect(isSealedSecret(after) && box.open(after)).toBe(SECRET);
    const page = await (await admin.get(`/admin/jobs/${jobId}`)).text();
    expect(page).toContain('30 * * * *');
    expect(page).not.toContain(SECRET);
  });
});
