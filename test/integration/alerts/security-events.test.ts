// Security events through the real API to a local webhook receiver: a brute-force run of failed logins is
// counted per attempt (security_events_total) and raises one incident with one delivery, however many attempts
// follow within the window; the lockout it causes and the burst of 401s are incidents of their own, one each;
// a revoked API token presented is refused like an unknown one but counted and alerted apart, once per token.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApi, type TestApi } from '../../support/api-app.ts';
import { until } from '../../support/time-scale.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';

const FAILED_LOGINS_THRESHOLD = 5;
const DENIED_THRESHOLD = 25;
const ATTEMPTS = 40;

let api: TestApi;
let receiver: WebhookReceiver;
let admin: string;

interface SecurityAlert {
  event: string;
  incident_id: string;
  job: null;
  message: string;
}

const securityAlerts = () =>
  receiver.received
    .filter((r) => r.path === '/security')
    .map((r) => JSON.parse(r.body) as SecurityAlert)
    .filter((alert) => alert.event === 'security');
const alertsOfKind = (kind: string) => securityAlerts().filter((a) => a.message.startsWith(`${kind}:`));

async function counter(event: string): Promise<number> {
  const text = await api.deps.metrics.registry.metrics();
  const match = new RegExp(`^security_events_total\\{event="${event}"\\} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/** Waits for the incidents raised so far and sends their deliveries. */
async function flush() {
  await api.deps.security.settled();
  await api.deps.alerts.deliverDue(new Date());
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  api = await startTestApi({
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ALERTS_ALLOW_PRIVATE: 'true',
    SECURITY_ALERT_FAILED_LOGINS: String(FAILED_LOGINS_THRESHOLD),
    SECURITY_ALERT_DENIED_RESPONSES: String(DENIED_THRESHOLD),
    SECURITY_ALERT_WINDOW_SECONDS: '600',
    LOGIN_MAX_ATTEMPTS_PER_MINUTE: '1000',
    LOGIN_LOCKOUT_THRESHOLD: String(ATTEMPTS / 2),
  });
  admin = await api.userToken('admin');
  const channel = await api.app.request(`${api.config.apiPrefix}/alerts/channels`, {
    method: 'POST',
    headers: { ...bearer(admin), 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'security-hook',
      kind: 'webhook',
      url: receiver.url('/security'),
      signing_secret: randomBytes(16).toString('hex'),
    }),
  });
  expect(channel.status, await channel.clone().text()).toBe(201);
  // New channels subscribe to security events by default.
  expect(((await channel.json()) as { events: string[] }).events).toContain('security');
});
afterAll(async () => {
  await api?.close();
  await receiver?.close();
});

describe('security events', () => {
  it('turns a brute-force run into one failed-login incident and one lockout incident', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const response = await api.app.request(`${api.config.apiPrefix}/auth/token`, {
        method: 'POST',
        body: new URLSearchParams({ username: 'admin', password: `wrong-${attempt}` }),
      });
      statuses.push(response.status);
    }
    // Until the lockout: 401 per attempt; then 429 (locked), which is not a failed login.
    expect(statuses.slice(0, ATTEMPTS / 2).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(ATTEMPTS / 2).every((s) => s === 429)).toBe(true);
    await flush();

    expect(await counter('login_failed')).toBe(ATTEMPTS / 2);
    expect(await counter('lockout')).toBe(1);
    expect(await counter('unauthorized')).toBe(ATTEMPTS / 2);
    await until(() => securityAlerts().length >= 2, { what: 'security alerts delivered' });

    const failedLogins = alertsOfKind('failed_logins');
    expect(failedLogins).toHaveLength(1);
    expect(failedLogins[0]!.message).toContain(`${FAILED_LOGINS_THRESHOLD} failed logins`);
    expect(failedLogins[0]!.message).toContain('user "admin"');
    expect(failedLogins[0]!.job).toBeNull();
    expect(alertsOfKind('lockouts')).toHaveLength(1);
    // 20 401s stay under the burst threshold of 25.
    expect(alertsOfKind('denied_burst')).toHaveLength(0);

    // The incident counted every report within the window (one per threshold reached).
    const [incident] = await api.deps.db.app.query<{ count: number; id: string }>(
      `select count, id from security_incidents where key = 'failed_logins'`,
    );
    expect(incident!.count).toBe(ATTEMPTS / 2);
    expect(incident!.id).toBe(failedLogins[0]!.incident_id);
    // No password ever reaches an alert.
    expect(JSON.stringify(securityAlerts())).not.toContain('wrong-');
  });

  it('raises one 401/403 burst incident past its threshold, and nothing more within the window', async () => {
    for (let i = 0; i < DENIED_THRESHOLD * 2; i++) {
      const response = await api.app.request(`${api.config.apiPrefix}/jobs`);
      expect(response.status).toBe(401);
    }
    await flush();
    await until(() => alertsOfKind('denied_burst').length === 1, { what: 'the burst alert' });
    const [burst] = alertsOfKind('denied_burst');
    expect(burst!.message).toContain(`${DENIED_THRESHOLD} requests refused with 401/403`);
    expect(burst!.message).toContain('GET /api/v1/jobs');
    await flush();
    expect(alertsOfKind('denied_burst')).toHaveLength(1);
  });

  it('records a revoked API token presented, apart from an unknown one, once per token', async () => {
    const created = await api.app.request(`${api.config.apiPrefix}/tokens`, {
      method: 'POST',
      headers: { ...bearer(admin), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'leaked-ci-token', role: 'viewer' }),
    });
    expect(created.status).toBe(201);
    const token = (await created.json()) as { id: string; token: string };
    const revoke = await api.app.request(`${api.config.apiPrefix}/tokens/${token.id}`, {
      method: 'DELETE',
      headers: bearer(admin),
    });
    expect(revoke.status).toBe(200);

    // An unknown token with the same shape: refused, not a revoked-token event.
    const unknown = `${token.token.slice(0, -4)}zzzz`;
    const refusedUnknown = await api.app.request(`${api.config.apiPrefix}/jobs`, {
      headers: bearer(unknown),
    });
    expect(refusedUnknown.status).toBe(401);
    await flush();
    expect(await counter('revoked_token')).toBe(0);

    for (let i = 0; i < 3; i++) {
      const refused = await api.app.request(`${api.config.apiPrefix}/jobs`, { headers: bearer(token.token) });
      // The client sees the same answer as for any invalid token.
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error_code: string }).error_code).toBe('invalid_token');
    }
    await flush();
    expect(await counter('revoked_token')).toBe(3);
    await until(() => alertsOfKind('revoked_token').length === 1, { what: 'the revoked-token alert' });
    const [alert] = alertsOfKind('revoked_token');
    expect(alert!.message).toContain('"leaked-ci-token"');
    expect(alert!.message).toContain(token.id);
    expect(alert!.message).not.toContain(token.token);
    const [incident] = await api.deps.db.app.query<{ count: number }>(
      'select count from security_incidents where key = $1',
      [`revoked_token:${token.id}`],
    );
    expect(incident!.count).toBe(3);

    // After a quiet window the same key is a new incident, alerted again.
    await api.deps.db.app.query(
      `update security_incidents set last_seen_at = now() - interval '1 hour' where key = $1`,
      [`revoked_token:${token.id}`],
    );
    await api.app.request(`${api.config.apiPrefix}/jobs`, { headers: bearer(token.token) });
    await flush();
    await until(() => alertsOfKind('revoked_token').length === 2, { what: 'a second revoked-token alert' });
    const [first, second] = alertsOfKind('revoked_token');
    expect(second!.incident_id).not.toBe(first!.incident_id);
  });
});
