// The PagerDuty channel (Events API v2) against a local receiver standing in for events.pagerduty.com: created
// through the API with its integration key as the sealed signing secret, a dead and timed-out run triggers one
// event per incident deduplicated on the incident, a redelivery reuses the key, and the run that recovers the
// job resolves every incident it closed.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.ts';
import { type AlertsService, createAlertsService } from '../../../src/features/alerts/alerts.service.ts';
import { pagerDutyDedupKey } from '../../../src/features/alerts/messages.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createSecretBox } from '../../../src/secrets/secret-box.ts';
import { bearer, startTestApi, type TestApi } from '../../support/api-app.ts';
import { insertJob } from '../../support/scheduler-harness.ts';
import { captureLines } from '../../support/test-deps.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';

const ROUTING_KEY = `R${randomBytes(16).toString('hex')}`;
const env = {
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  ALERTS_ALLOW_PRIVATE: 'true',
  ALERTS_RETRY_BASE_SECONDS: '30',
  ALERTS_MAX_ATTEMPTS: '3',
};

let api: TestApi;
let receiver: WebhookReceiver;
let alerts: AlertsService;
let admin: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  api = await startTestApi(env);
  admin = await api.userToken('admin');
  const { config } = parseConfig({ APP_ENV: 'test', ...env });
  alerts = createAlertsService({
    db: api.deps.db.app,
    config,
    logger: createLogger({ level: 'debug', destination: captureLines().stream }),
    secrets: createSecretBox(config.encryption),
  });
});
afterAll(async () => {
  await api?.close();
  await receiver?.close();
});

async function createChannel(body: Record<string, unknown>) {
  const response = await api.app.request(`${api.config.apiPrefix}/alerts/channels`, {
    method: 'POST',
    headers: { ...bearer(admin), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

const events = () =>
  receiver.received
    .filter((r) => r.path === '/v2/enqueue')
    .map((r) => JSON.parse(r.body) as Record<string, unknown> & { payload?: Record<string, unknown> });

describe('PagerDuty alert channel', () => {
  it('needs the integration key, and never shows it', async () => {
    const without = await createChannel({
      name: 'pd-no-key',
      kind: 'pagerduty',
      url: receiver.url('/v2/enqueue'),
    });
    expect(without.status).toBe(422);
    expect(JSON.stringify(without.json)).toContain('signing_secret');

    const made = await createChannel({
      name: 'pd-oncall',
      kind: 'pagerduty',
      url: receiver.url('/v2/enqueue'),
      signing_secret: ROUTING_KEY,
      events: ['dead', 'timed_out', 'recovered'],
    });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    expect(made.json).toMatchObject({ kind: 'pagerduty', signing_secret: { set: true }, url: { set: true } });
    expect(JSON.stringify(made.json)).not.toContain(ROUTING_KEY);
  });

  it('triggers one event per incident, deduplicated on it, and resolves each on recovery', async () => {
    const db = api.deps.db.app;
    const jobId = await insertJob(db, { name: 'pd-nightly' });
    const [run] = await db.query<{ id: string }>(
      `insert into job_runs (job_id, scheduled_for, trigger, status, attempt)
       values ($1, now(), 'schedule', 'dead', 3) returning id`,
      [jobId],
    );
    await db.transaction((tx) =>
      alerts.hooks.runFailed(tx, {
        jobId,
        jobName: 'pd-nightly',
        runId: run!.id,
        final: 'dead',
        timedOut: true,
        attempt: 3,
        message: 'timed out after 30 s',
      }),
    );
    const incidents = await db.query<{ id: string; kind: string }>(
      'select id, kind from alert_incidents where job_id = $1 order by kind',
      [jobId],
    );
    expect(incidents.map((i) => i.kind)).toEqual(['dead', 'timed_out']);

    receiver.respondWith(202, 503, 202);
    const now = new Date();
    await alerts.deliverDue(now);
    // The 503 leaves one delivery pending; its retry later sends the same dedup key again.
    await alerts.deliverDue(new Date(now.getTime() + 3_600_000));
    const triggers = events().filter((e) => e.event_action === 'trigger');
    expect(triggers.length).toBe(3);
    for (const trigger of triggers) {
      expect(trigger.routing_key).toBe(ROUTING_KEY);
      expect(trigger.payload).toMatchObject({ source: 'app-server', component: 'pd-nightly' });
    }
    const keys = new Set(triggers.map((t) => t.dedup_key));
    expect([...keys].sort()).toEqual(incidents.map((i) => pagerDutyDedupKey(i.id)).sort());
    const dead = triggers.find((t) => t.dedup_key === pagerDutyDedupKey(incidents[0]!.id))!;
    expect(dead.payload).toMatchObject({ severity: 'critical', class: 'dead' });
    expect(String(dead.payload!.summary)).toContain('Job "pd-nightly" failed for good');

    await alerts.hooks.runSucceeded(jobId, run!.id);
    // runSucceeded starts the delivery itself; wait for it (bounded) rather than racing it with a second one.
    for (let i = 0; i < 100 && events().filter((e) => e.event_action === 'resolve').length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const resolves = events().filter((e) => e.event_action === 'resolve');
    expect(resolves.map((r) => r.dedup_key).sort()).toEqual(
      incidents.map((i) => pagerDutyDedupKey(i.id)).sort(),
    );
    for (const resolve of resolves)
      expect(resolve).toEqual({
        routing_key: ROUTING_KEY,
        event_action: 'resolve',
        dedup_key: resolve.dedup_key,
      });
    const statuses = await db.query<{ status: string }>(
      'select status from alert_deliveries where job_id = $1',
      [jobId],
    );
    expect(statuses.every((d) => d.status === 'sent')).toBe(true);
  });
});
