// Secrets never appear in logs or error details, checked over everything the whole app logged and answered
// while it handled logins, user and token creation, failures and validation errors that carry secrets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, bearer, startTestApi, type TestApi } from '../support/api-app.ts';

describe('secrets stay out of logs and error details', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({
      RATE_LIMIT_ENABLED: 'false',
      METRICS_TOKEN: 'metrics-secret-token-0123456789',
    });
  });
  afterAll(() => api.close());

  it('never echoes a password, JWT, API token or metrics token', async () => {
    const prefix = api.config.apiPrefix;
    const admin = await api.login(ADMIN.username, ADMIN.password);
    const answers: string[] = [];
    const send = async (method: string, path: string, init: RequestInit = {}) => {
      const response = await api.app.request(`${prefix}${path}`, { method, ...init });
      const text = await response.text();
      answers.push(text, JSON.stringify([...response.headers.entries()]));
      return { response, text };
    };
    const json = (body: unknown) => ({
      headers: { ...bearer(admin), 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

    await send('POST', '/auth/token', {
      body: new URLSearchParams({ username: 'admin', password: 'Wrong-Secret-Pw-1' }),
    });
    await send(
      'POST',
      '/users',
      json({ username: 'sec-user', password: 'Sekrit-User-Password-9', role: 'viewer' }),
    );
    // Validation errors whose input holds a secret: the detail names the field, never the value.
    await send('POST', '/users', json({ username: 'bad user!', password: 'Short-Sekrit', role: 'nope' }));
    await send('POST', '/users', json({ username: 'x', password: 12345678901234 }));
    const created = await send('POST', '/tokens', json({ name: 'sec-token', role: 'viewer' }));
    const apiToken = (JSON.parse(created.text) as { token: string }).token;
    expect(apiToken).toMatch(/.{20,}/);
    // Tokens in headers: used, broken and refused.
    await send('GET', '/jobs', { headers: bearer(apiToken) });
    await send('GET', '/jobs', { headers: bearer(`${apiToken}tampered`) });
    await send('GET', '/jobs', { headers: bearer(`${admin}x`) });
    await api.app.request('/metrics', { headers: bearer('metrics-secret-token-0123456789') });
    await api.app.request('/metrics', { headers: bearer('metrics-secret-wrong-0123456789') });
    // A malformed JSON body that contains a password.
    await send('POST', '/users', {
      headers: { ...bearer(admin), 'Content-Type': 'application/json' },
      body: '{"username":"y","password":"Trunc-Sekrit-Pw-5"',
    });

    const logs = api.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    const answered = answers.join('\n');
    for (const secret of [
      ADMIN.password,
      'Wrong-Secret-Pw-1',
      'Sekrit-User-Password-9',
      'Short-Sekrit',
      'Trunc-Sekrit-Pw-5',
      'metrics-secret-token-0123456789',
      'metrics-secret-wrong-0123456789',
      admin,
      admin.split('.')[2]!,
      apiToken,
    ]) {
      expect(logs, secret.slice(0, 12)).not.toContain(secret);
    }
    // Error answers never echo what the client sent as a secret (the token is shown once, on creation).
    const errors = answered.replace(created.text, '');
    for (const secret of ['Wrong-Secret-Pw-1', 'Short-Sekrit', 'Trunc-Sekrit-Pw-5', apiToken, admin]) {
      expect(errors, secret.slice(0, 12)).not.toContain(secret);
    }
  });
});
