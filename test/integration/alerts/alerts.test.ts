// Alerts end to end against a real local receiver (standing in for a webhook endpoint, Slack and Discord): channel
// secrets are write-only, deliveries are HMAC-signed and verifiable, a failed attempt is retried with backoff, a job
// that keeps failing produces one `dead` message per incident, a success sends one `recovered`, and an enabled job
// whose runs fail is reported overdue once. Times are passed in, so nothing depends on the wall clock.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.ts';
import { type AlertsService, createAlertsService } from '../../../src/features/alerts/alerts.service.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import type { Scheduler } from '../../../src/scheduler/index.ts';
import { createSecretBox } from '../../../src/secrets/secret-box.ts';
import { bearer, startTestApi, type TestApi } from '../../support/api-app.ts';
import {
  createGate,
  createTestScheduler,
  eventually,
  insertJob,
  testConfig,
  testFunctions,
} from '../../support/scheduler-harness.ts';
import { startSmtpSink } from '../../support/smtp-sink.ts';
import { captureLines } from '../../support/test-deps.ts';
import {
  type ReceivedRequest,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../support/webhook-receiver.ts';

const KEY = randomBytes(32).toString('base64');
const SIGNING_SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const URL_TOKEN = `T${randomBytes(10).toString('hex')}`;
const HOUR = 3_600_000;

let api: TestApi;
let receiver: WebhookReceiver;
let alerts: AlertsService;
let scheduler: Scheduler;
let admin: string;
let viewer: string;
const alertLog = captureLines();
const env = {
  ENCRYPTION_KEY: KEY,
  ALERTS_ALLOW_PRIVATE: 'true',
  ALERTS_OVERDUE_GRACE_SECONDS: '60',
  ALERTS_RETRY_BASE_SECONDS: '30',
  ALERTS_MAX_ATTEMPTS: '3',
};

async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await api.app.request(`${api.config.apiPrefix}${path}`, {
    method,
    headers: {
      ...(options.token ? bearer(options.token) : {}),
      ...(options.body ? { 'content-type': 'application/json' } : {}),
    },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
}

/** The receiver's check, written from docs/scheduler/alerts.md with node:crypto alone. */
function verifySignature(request: ReceivedRequest, secret: string): boolean {
  const timestamp = request.headers['x-appserver-timestamp'] as string;
  const signature = request.headers['x-appserver-signature'] as string;
  const expected = Buffer.from(
    `v1=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`,
  );
  return (
    !!signature && expected.length === signature.length && timingSafeEqual(expected, Buffer.from(signature))
  );
}

const at = (path: string) => receiver.received.filter((r) => r.path.startsWith(path));

async function deliveriesOf(jobId: string) {
  return api.deps.db.app.query<{
    id: string;
    event: string;
    status: string;
    attempts: number;
    last_error: string | null;
    channel: string;
  }>(
    `select d.id, d.event, d.status, d.attempts, d.last_error, c.name as channel
     from alert_deliveries d join alert_channels c on c.id = d.channel_id where d.job_id = $1 order by d.created_at, c.name`,
    [jobId],
  );
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  api = await startTestApi(env);
  admin = await api.userToken('admin');
  viewer = await api.userToken('viewer');
  const { config } = parseConfig({ APP_ENV: 'test', ...env });
  alerts = createAlertsService({
    db: api.deps.db.app,
    config,
    logger: createLogger({ level: 'debug', destination: alertLog.stream }),
    secrets: createSecretBox(config.encryption),
  });
  const gate = createGate();
  gate.open();
  ({ scheduler } = await createTestScheduler(api.deps.db.app, {
    functions: testFunctions(gate),
    config: testConfig(),
    outcomes: alerts.hooks,
  }));
});

afterAll(async () => {
  await scheduler?.idle();
  await api?.close();
  await receiver?.close();
});

describe('alert channels', () => {
  let webhookId: string;

  it('are created by admins only, and never show their URL or signing secret', async () => {
    const body = {
      name: 'ops-webhook',
      kind: 'webhook',
      url: receiver.url(`/hook?token=${URL_TOKEN}`),
      signing_secret: SIGNING_SECRET,
    };
    expect((await call('POST', '/alerts/channels', { body })).status).toBe(401);
    expect((await call('POST', '/alerts/channels', { token: viewer, body })).status).toBe(403);
    const noSecret = await call('POST', '/alerts/channels', {
      token: admin,
      body: { ...body, signing_secret: undefined },
    });
    expect(noSecret.status).toBe(422);

    const created = await call('POST', '/alerts/channels', { token: admin, body });
    expect(created.status, created.text).toBe(201);
    webhookId = created.json.id;
    expect(created.json).toMatchObject({
      kind: 'webhook',
      url: { set: true },
      signing_secret: { set: true },
      url_host: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      events: ['dead', 'timed_out', 'overdue', 'recovered', 'security'],
      job_id: null,
    });
    for (const kind of ['slack', 'discord'] as const) {
      const made = await call('POST', '/alerts/channels', {
        token: admin,
        body: {
          name: `ops-${kind}`,
          kind,
          url: receiver.url(`/${kind}/${URL_TOKEN}`),
          events: ['dead', 'recovered'],
        },
      });
      expect(made.status, made.text).toBe(201);
      expect(made.json.signing_secret).toEqual({ set: false });
    }

    const listed = await call('GET', '/alerts/channels', { token: viewer });
    expect(listed.status).toBe(200);
    expect(listed.json.items.map((c: { name: string }) => c.name)).toEqual([
      'ops-discord',
      'ops-slack',
      'ops-webhook',
    ]);

    const [row] = await api.deps.db.app.query<{ raw: string }>(
      'select secrets::text as raw from alert_channels where id = $1',
      [webhookId],
    );
    expect(row!.raw).toContain('"$secret"');
    expect(row!.raw).not.toContain(URL_TOKEN);
    expect(row!.raw).not.toContain(SIGNING_SECRET);
  });

  it('keep their secrets on update unless resent, with optimistic concurrency', async () => {
    const stale = await call('PATCH', `/alerts/channels/${webhookId}`, {
      token: admin,
      body: { version: 9, enabled: true },
    });
    expect(stale.status).toBe(409);
    const renamed = await call('PATCH', `/alerts/channels/${webhookId}`, {
      token: admin,
      body: { version: 1, name: 'ops-webhook' },
    });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.json).toMatchObject({ version: 2, url: { set: true }, signing_secret: { set: true } });
    expect(
      (await call('PATCH', `/alerts/channels/${webhookId}`, { token: viewer, body: { version: 2 } })).status,
    ).toBe(403);
  });

  it('send a signed test alert on request and record the delivery', async () => {
    const sent = await call('POST', `/alerts/channels/${webhookId}/test`, { token: admin });
    expect(sent.status, sent.text).toBe(200);
    expect(sent.json).toMatchObject({
      event: 'test',
      status: 'sent',
      attempts: 1,
      channel_name: 'ops-webhook',
    });
    const request = at('/hook').at(-1)!;
    expect(request.path).toBe(`/hook?token=${URL_TOKEN}`);
    expect(request.headers['x-appserver-delivery']).toBe(sent.json.id);
    expect(request.headers['x-appserver-event']).toBe('test');
    expect(verifySignature(request, SIGNING_SECRET)).toBe(true);
    expect(verifySignature({ ...request, body: `${request.body} ` }, SIGNING_SECRET)).toBe(false);
    expect(verifySignature(request, 'another-secret-entirely')).toBe(false);
    expect(JSON.parse(request.body)).toMatchObject({ event: 'test', delivery_id: sent.json.id });
    const listed = await call('GET', `/alerts/deliveries?channel_id=${webhookId}`, { token: viewer });
    expect(listed.json.items[0]).toMatchObject({ id: sent.json.id, status: 'sent' });
  });
});

describe('run outcome alerts', () => {
  it('send one dead alert per incident, retry a failed delivery with backoff, and one recovery', async () => {
    const jobId = await insertJob(api.deps.db.app, {
      name: 'always-failing',
      func: 'test.jobs:fail',
      kwargs: { failures: 1000 },
      maxRetries: 1,
      backoffSeconds: 0,
    });
    const runToEnd = async (tick: string) => {
      expect(await scheduler.claimTick(jobId, new Date(tick))).toBe('running');
      await scheduler.idle();
      await scheduler.dispatchQueued();
      await scheduler.idle();
    };
    await runToEnd('2026-01-01T10:00:00Z');
    const first = await deliveriesOf(jobId);
    expect(first.map((d) => [d.channel, d.event, d.status])).toEqual([
      ['ops-discord', 'dead', 'pending'],
      ['ops-slack', 'dead', 'pending'],
      ['ops-webhook', 'dead', 'pending'],
    ]);

    // The webhook receiver fails the first attempt: it stays pending, not due again until the backoff passes.
    const webhookBefore = at('/hook').length;
    receiver.respondWith(500);
    const now = new Date();
    const tryWebhook = (when: Date) =>
      alerts.deliverDue(when, first.find((d) => d.channel === 'ops-webhook')!.id);
    expect(await tryWebhook(now)).toBe(1);
    let webhook = (await deliveriesOf(jobId)).find((d) => d.channel === 'ops-webhook')!;
    expect(webhook).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 500' });
    expect(await tryWebhook(new Date(now.getTime() + 10_000))).toBe(0);
    expect(await tryWebhook(new Date(now.getTime() + HOUR))).toBe(1);
    webhook = (await deliveriesOf(jobId)).find((d) => d.channel === 'ops-webhook')!;
    expect(webhook).toMatchObject({ status: 'sent', attempts: 2 });
    await alerts.deliverDue(new Date(now.getTime() + HOUR));
    expect((await deliveriesOf(jobId)).every((d) => d.status === 'sent')).toBe(true);

    const attempts = at('/hook').slice(webhookBefore);
    expect(attempts).toHaveLength(2);
    for (const request of attempts) {
      expect(verifySignature(request, SIGNING_SECRET)).toBe(true);
      expect(request.headers['x-appserver-delivery']).toBe(webhook.id);
      expect(JSON.parse(request.body)).toMatchObject({
        event: 'dead',
        job: { id: jobId, name: 'always-failing' },
      });
    }
    expect(JSON.parse(at('/slack').at(-1)!.body).text).toContain('Job "always-failing" failed for good');
    expect(JSON.parse(at('/discord').at(-1)!.body).content).toContain('always-failing');

    // Still failing: the same incident, no new message.
    await runToEnd('2026-01-01T10:01:00Z');
    await alerts.deliverDue(new Date(now.getTime() + 2 * HOUR));
    expect((await deliveriesOf(jobId)).filter((d) => d.event === 'dead')).toHaveLength(3);
    const incidents = await call('GET', `/alerts/incidents?job_id=${jobId}&open=true`, { token: viewer });
    expect(incidents.json.items).toEqual([
      expect.objectContaining({ kind: 'dead', job_name: 'always-failing' }),
    ]);

    // A success closes it and sends one recovery; failing again opens a new incident and one new dead alert.
    await api.deps.db.app.query(`update scheduled_jobs set kwargs = '{"failures": 0}' where id = $1`, [
      jobId,
    ]);
    await runToEnd('2026-01-01T10:02:00Z');
    await eventually(async () => {
      await alerts.deliverDue(new Date(now.getTime() + 3 * HOUR));
      const recovered = (await deliveriesOf(jobId)).filter((d) => d.event === 'recovered');
      return recovered.length === 3 && recovered.every((d) => d.status === 'sent');
    });
    expect(JSON.parse(at('/hook').at(-1)!.body)).toMatchObject({ event: 'recovered' });
    expect(verifySignature(at('/hook').at(-1)!, SIGNING_SECRET)).toBe(true);
    await api.deps.db.app.query(`update scheduled_jobs set kwargs = '{"failures": 1000}' where id = $1`, [
      jobId,
    ]);
    await runToEnd('2026-01-01T10:03:00Z');
    await runToEnd('2026-01-01T10:04:00Z');
    const dead = (await deliveriesOf(jobId)).filter((d) => d.event === 'dead');
    expect(dead).toHaveLength(6);
    expect(new Set(dead.map((d) => d.id)).size).toBe(6);
  });

  it('alert a timed-out run once, and as dead when no retry is left', async () => {
    const jobId = await insertJob(api.deps.db.app, {
      name: 'hangs',
      func: 'test.jobs:hang',
      timeoutSeconds: 1,
    });
    expect(await scheduler.claimTick(jobId, new Date('2026-01-01T11:00:00Z'))).toBe('running');
    await scheduler.idle();
    const deliveries = await deliveriesOf(jobId);
    expect(deliveries.map((d) => [d.channel, d.event]).sort()).toEqual([
      ['ops-discord', 'dead'],
      ['ops-slack', 'dead'],
      ['ops-webhook', 'dead'],
      ['ops-webhook', 'timed_out'],
    ]);
    const incidents = await call('GET', `/alerts/incidents?job_id=${jobId}`, { token: viewer });
    expect(incidents.json.items.map((i: { kind: string }) => i.kind).sort()).toEqual(['dead', 'timed_out']);
  });

  it('reports an enabled job whose runs fail as overdue once, within its interval plus grace', async () => {
    const jobId = await insertJob(api.deps.db.app, {
      name: 'failing-every-ten-minutes',
      func: 'test.jobs:fail',
      cron: '*/10 * * * *',
      kwargs: { failures: 1000 },
    });
    const disabledId = await insertJob(api.deps.db.app, {
      name: 'paused',
      cron: '*/10 * * * *',
      enabled: false,
    });
    const channel = await call('POST', '/alerts/channels', {
      token: admin,
      body: {
        name: 'overdue-only',
        kind: 'webhook',
        url: receiver.url('/overdue'),
        signing_secret: SIGNING_SECRET,
        job_id: jobId,
        events: ['overdue'],
      },
    });
    expect(channel.status, channel.text).toBe(201);
    const tick = new Date(Math.ceil(Date.now() / 600_000) * 600_000);
    expect(await scheduler.claimTick(jobId, tick)).toBe('running');
    await scheduler.idle();

    const start = Date.now();
    const overdueIncidents = async () =>
      (await call('GET', `/alerts/incidents?job_id=${jobId}`, { token: viewer })).json.items.filter(
        (i: { kind: string }) => i.kind === 'overdue',
      );
    // Not yet: the first expected fire is at most 10 minutes away and the grace is 60 s.
    await alerts.checkOverdue(new Date(start + 30_000));
    expect(await overdueIncidents()).toHaveLength(0);
    await alerts.checkOverdue(new Date(start + 12 * 60_000));
    expect(await overdueIncidents()).toHaveLength(1);
    // Checked again (by this or any replica): still one incident.
    await alerts.checkOverdue(new Date(start + 13 * 60_000));
    expect(await overdueIncidents()).toHaveLength(1);

    const incidents = await call('GET', `/alerts/incidents?job_id=${jobId}`, { token: viewer });
    expect(incidents.json.items.map((i: { kind: string }) => i.kind).sort()).toEqual(['dead', 'overdue']);
    const none = await call('GET', `/alerts/incidents?job_id=${disabledId}`, { token: viewer });
    expect(none.json.total).toBe(0);

    await scheduler.idle();
    await alerts.hooks.sweep(new Date(start + 14 * 60_000));
    const overdue = at('/overdue');
    expect(overdue).toHaveLength(1);
    expect(verifySignature(overdue[0]!, SIGNING_SECRET)).toBe(true);
    expect(JSON.parse(overdue[0]!.body)).toMatchObject({
      event: 'overdue',
      job: { name: 'failing-every-ten-minutes' },
    });
  });

  it('never writes channel secrets to responses, audit rows or logs', async () => {
    const everything = [
      (await call('GET', '/alerts/channels', { token: admin })).text,
      (await call('GET', '/alerts/deliveries?page_size=100', { token: admin })).text,
      ...api.logs,
      ...alertLog.raw,
    ].join('\n');
    const [audit] = await api.deps.db.app.query<{ text: string }>(
      `select string_agg(coalesce(before::text, '') || coalesce(after::text, ''), ' ') as text from audit_log
       where target_type = 'alert_channel'`,
    );
    expect(audit!.text).toContain('ops-webhook');
    for (const text of [everything, audit!.text]) {
      expect(text).not.toContain(URL_TOKEN);
      expect(text).not.toContain(SIGNING_SECRET);
    }
  });
});

describe('e-mail channels', () => {
  it('send alerts through an authenticated SMTP server, keeping its credentials write-only', async () => {
    const smtpPass = `pw-${randomBytes(8).toString('hex')}`;
    const sink = await startSmtpSink({ user: 'alerts', pass: smtpPass });
    try {
      const jobId = await insertJob(api.deps.db.app, { name: 'mailed-failure', func: 'test.jobs:fail' });
      const wrongScheme = await call('POST', '/alerts/channels', {
        token: admin,
        body: {
          name: 'bad-mail',
          kind: 'email',
          url: receiver.url(),
          email_to: ['ops@example.com'],
          email_from: 'a@example.com',
        },
      });
      expect(wrongScheme.status).toBe(422);
      const created = await call('POST', '/alerts/channels', {
        token: admin,
        body: {
          name: 'ops-mail',
          kind: 'email',
          url: `smtp://alerts:${smtpPass}@127.0.0.1:${sink.port}`,
          email_to: ['ops@example.com', 'oncall@example.com'],
          email_from: 'app-server@example.com',
          job_id: jobId,
          events: ['dead'],
        },
      });
      expect(created.status, created.text).toBe(201);
      expect(created.json).toMatchObject({
        url: { set: true },
        email_to: ['ops@example.com', 'oncall@example.com'],
      });
      expect(created.text).not.toContain(smtpPass);

      const test = await call('POST', `/alerts/channels/${created.json.id}/test`, { token: admin });
      expect(test.json, test.text).toMatchObject({ status: 'sent', attempts: 1 });
      expect(sink.received[0]).toMatchObject({
        user: 'alerts',
        from: 'app-server@example.com',
        to: ['ops@example.com', 'oncall@example.com'],
      });

      expect(await scheduler.claimTick(jobId, new Date('2026-01-01T12:00:00Z'))).toBe('running');
      await scheduler.idle();
      const [delivery] = (await deliveriesOf(jobId)).filter((d) => d.channel === 'ops-mail');
      expect(await alerts.deliverDue(new Date(Date.now() + 5 * HOUR), delivery!.id)).toBe(1);
      expect((await deliveriesOf(jobId)).find((d) => d.id === delivery!.id)).toMatchObject({
        status: 'sent',
      });
      const mail = sink.received[1]!;
      // The subject is MIME-encoded (it has quotes); the headers are matched without caring for case.
      expect(mail.raw).toMatch(/^Subject: .*app-server.*mailed-failure/m);
      expect(mail.raw.toLowerCase()).toContain(`x-appserver-delivery: ${delivery!.id}`);
      expect(mail.raw).toContain('failed for good');
      expect([...api.logs, ...alertLog.raw].join('\n')).not.toContain(smtpPass);
    } finally {
      await sink.close();
    }
  });
});
