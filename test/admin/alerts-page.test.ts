// The alerts page over app.request: an admin creates a channel (its URL never shown again), sends a test alert
// (a delivery with its attempts appears), disables and enables it; errors land beside the fields; a viewer
// sees the page without the controls and is refused the posts.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminClient, adminClient, startAdminUi } from '../support/admin-session.ts';
import type { TestApi } from '../support/api-app.ts';

describe('alerts page (in process)', () => {
  let api: TestApi;
  let admin: AdminClient;

  beforeAll(async () => {
    ({ api, admin } = await startAdminUi({
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ENCRYPTION_KEY_ID: 'k1',
    }));
  });
  afterAll(async () => {
    await api?.close();
  });

  const channel = {
    name: 'ops-hook',
    kind: 'webhook',
    url: 'https://hooks.example.com/secret-path-123',
    email_to: '',
    email_from: '',
    signing_secret: 'receivers-verify-with-this-key',
  };

  it('shows the empty state, then creates a channel without ever showing its URL', async () => {
    const empty = await (await admin.get('/admin/alerts')).text();
    expect(empty).toContain('No channels yet');
    expect(empty).toContain('No open incidents.');
    const invalid = await admin.post('/admin/alerts/channels', {
      ...channel,
      url: 'not a url',
      events: 'dead',
    });
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toMatch(/id="channel-url-error"/);
    const created = await admin.post('/admin/alerts/channels', { ...channel, events: 'dead' });
    expect(created.status).toBe(303);
    const page = await (await admin.get('/admin/alerts')).text();
    expect(page).toMatch(/data-channel="ops-hook"[\s\S]*?hooks\.example\.com/);
    expect(page).not.toContain('secret-path-123');
    const audit = await api.deps.db.app.query<{ n: number }>(
      `select count(*)::int as n from audit_log where action like 'alert_channel.%' or target_type = 'alert_channel'`,
    );
    expect(audit[0]!.n).toBeGreaterThanOrEqual(1);
  });

  it('sends a test alert and lists the delivery with its attempts', async () => {
    const page = await (await admin.get('/admin/alerts')).text();
    const test = /action="(\/admin\/alerts\/channels\/[0-9a-f-]{36}\/test)"/.exec(page)![1]!;
    const sent = await admin.post(test, {});
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe('/admin/alerts?done=channel-tested');
    const after = await (await admin.get('/admin/alerts')).text();
    expect(after).toMatch(
      /<th scope="row" data-label="Channel">ops-hook<\/th><td data-label="Event">test<\/td>/,
    );
    expect(after).toMatch(/data-label="Attempts">\d+<\/td>/);
  });

  it('disables and enables a channel', async () => {
    const page = await (await admin.get('/admin/alerts')).text();
    const action = /action="(\/admin\/alerts\/channels\/[0-9a-f-]{36}\/enabled)"/.exec(page)![1]!;
    const version = /name="version" value="(\d+)"/.exec(page)![1]!;
    const off = await admin.post(action, { enabled: 'false', version });
    expect(off.status).toBe(303);
    const disabled = await (await admin.get('/admin/alerts')).text();
    expect(disabled).toMatch(/data-channel="ops-hook"[\s\S]*?data-label="Enabled">no</);
    expect(disabled).toContain('aria-label="Enable ops-hook"');
  });

  it('shows a viewer the page without controls and refuses their posts', async () => {
    await api.userToken('viewer'); // the first viewer: viewer-1 (test/support/api-app.ts)
    const viewer = await adminClient(api, { username: 'viewer-1', password: 'viewer-password-123456' });
    const html = await (await viewer.get('/admin/alerts')).text();
    expect(html).not.toContain('Create channel');
    expect((await viewer.post('/admin/alerts/channels', { ...channel, events: 'dead' })).status).toBe(403);
  });
});
