// Secret job arguments end to end: written through the API, sealed in the row (AES-256-GCM, key id beside it),
// write-only on every read, kept on update, opened only inside the run (a real receiver sees the header), absent
// from responses, audit rows and logs; rotation re-encrypts idempotently.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.ts';
import { createLocalFileStore } from '../../../src/features/files/file-store.ts';
import { createJobsService } from '../../../src/features/jobs/jobs.service.ts';
import { createJobRegistry } from '../../../src/job-functions/registry.ts';
import { createMemoryStore } from '../../../src/kv/memory.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createScheduler, type Scheduler } from '../../../src/scheduler/index.ts';
import { createSecretBox } from '../../../src/secrets/secret-box.ts';
import { rotateSecrets, unopenableKeyIds } from '../../../src/secrets/stored-secrets.ts';
import { bearer, startTestApi, type TestApi } from '../../support/api-app.ts';
import { captureLines } from '../../support/test-deps.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';

const TOKEN = `Bearer tok-${randomBytes(12).toString('hex')}`;
const KEY1 = randomBytes(32).toString('base64');
const KEY2 = randomBytes(32).toString('base64');

let api: TestApi;
let receiver: WebhookReceiver;
let admin: string;
let scheduler: Scheduler;
const schedulerLog = captureLines();
let jobId: string;

const prefix = () => api.config.apiPrefix;
async function call(method: string, path: string, body?: unknown) {
  const response = await api.app.request(`${prefix()}${path}`, {
    method,
    headers: { ...bearer(admin), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, text: await response.text() };
}

function buildScheduler(env: Record<string, string>) {
  const { config } = parseConfig({ APP_ENV: 'test', JOBS_HTTP_ALLOW_PRIVATE: 'true', ...env });
  return createScheduler({
    db: api.deps.db.app,
    legacyDb: undefined,
    kv: createMemoryStore(),
    files: createLocalFileStore(api.filesDir),
    config,
    logger: createLogger({ level: 'debug', destination: schedulerLog.stream }),
    registry: createJobRegistry(),
    replicaId: 'secrets-test',
    secrets: createSecretBox(config.encryption),
    pollMs: 60_000,
  });
}

async function runOnce(s: Scheduler) {
  const queued = await call('POST', `/jobs/${jobId}/run`);
  expect(queued.status).toBe(202);
  await s.dispatchQueued();
  await s.idle();
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  api = await startTestApi({
    ENCRYPTION_KEY: KEY1,
    ENCRYPTION_KEY_ID: 'k1',
    JOBS_HTTP_ALLOW_PRIVATE: 'true',
  });
  admin = await api.userToken('admin');
  scheduler = buildScheduler({ ENCRYPTION_KEY: KEY1, ENCRYPTION_KEY_ID: 'k1' });
});

afterAll(async () => {
  await scheduler?.idle();
  await api?.close();
  await receiver?.close();
});

describe('secret job arguments', () => {
  it('stores the secret sealed and answers {"set": true} on create and read', async () => {
    const created = await call('POST', '/jobs', {
      name: 'call-with-token',
      func: 'app.jobs.http:http_request',
      cron: '0 0 1 1 *',
      kwargs: {
        url: receiver.url('/secured'),
        headers: { 'x-plain': 'visible' },
        secret_headers: { Authorization: TOKEN },
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.text).not.toContain(TOKEN);
    const job = JSON.parse(created.text);
    jobId = job.id;
    expect(job.kwargs.secret_headers).toEqual({ Authorization: { set: true } });
    expect(job.kwargs.headers).toEqual({ 'x-plain': 'visible' });

    const [row] = await api.deps.db.app.query<{
      kwargs: { secret_headers: { Authorization: { $secret: { kid: string; iv: string; tag: string } } } };
      raw: string;
    }>('select kwargs, kwargs::text as raw from scheduled_jobs where id = $1', [jobId]);
    expect(row!.raw).not.toContain(TOKEN.slice(7));
    const sealed = row!.kwargs.secret_headers.Authorization.$secret;
    expect(sealed).toMatchObject({ kid: 'k1' });
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(sealed.tag, 'base64')).toHaveLength(16);

    for (const path of [`/jobs/${jobId}`, '/jobs', '/jobs?q=call-with']) {
      const read = await call('GET', path);
      expect(read.status).toBe(200);
      expect(read.text).not.toContain(TOKEN);
      expect(read.text).not.toContain('$secret');
    }
    const fns = await call('GET', '/functions');
    expect(fns.text).toContain('"writeOnly":true');
  });

  it('keeps the stored secret when an update does not resend it, and the run gets the plain value', async () => {
    const patched = await call('PATCH', `/jobs/${jobId}`, {
      version: 1,
      description: 'edited',
      kwargs: { url: receiver.url('/secured'), headers: { 'x-plain': 'still' } },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(JSON.parse(patched.text).kwargs.secret_headers).toEqual({ Authorization: { set: true } });
    // A read-modify-write with what GET shows keeps it too.
    const shown = JSON.parse((await call('GET', `/jobs/${jobId}`)).text);
    const again = await call('PATCH', `/jobs/${jobId}`, { version: shown.version, kwargs: shown.kwargs });
    expect(again.status, again.text).toBe(200);

    await runOnce(scheduler);
    const hit = receiver.received.at(-1)!;
    expect(hit.path).toBe('/secured');
    expect(hit.headers.authorization).toBe(TOKEN);
    expect(hit.headers['x-plain']).toBe('still');
  });

  it('never writes the secret to audit rows, run rows or logs', async () => {
    const [audit] = await api.deps.db.app.query<{ text: string }>(
      `select coalesce(string_agg(before::text || ' ' || after::text, ' '), '') as text from audit_log`,
    );
    expect(audit!.text).toContain('call-with-token');
    expect(audit!.text).not.toContain(TOKEN.slice(7));
    const [runs] = await api.deps.db.app.query<{ text: string }>(
      `select coalesce(string_agg(coalesce(output::text, '') || coalesce(error::text, ''), ' '), '') as text from job_runs`,
    );
    expect(runs!.text).not.toContain(TOKEN.slice(7));
    const logs = [...api.logs, ...schedulerLog.raw].join('\n');
    expect(logs).toContain('run finished');
    expect(logs).not.toContain(TOKEN.slice(7));
  });

  it('clears a secret with {"set": false}', async () => {
    const shown = JSON.parse((await call('GET', `/jobs/${jobId}`)).text);
    const cleared = await call('PATCH', `/jobs/${jobId}`, {
      version: shown.version,
      kwargs: { ...shown.kwargs, secret_headers: { Authorization: { set: false } } },
    });
    expect(cleared.status, cleared.text).toBe(200);
    expect(JSON.parse(cleared.text).kwargs.secret_headers).toEqual({});
    const restored = await call('PATCH', `/jobs/${jobId}`, {
      version: shown.version + 1,
      kwargs: { ...shown.kwargs, secret_headers: { Authorization: TOKEN } },
    });
    expect(restored.status, restored.text).toBe(200);
  });

  it('drops stored secret headers when the URL moves to another origin, unless the same request re-enters them', async () => {
    const shown = JSON.parse((await call('GET', `/jobs/${jobId}`)).text);
    expect(shown.kwargs.secret_headers).toEqual({ Authorization: { set: true } });
    const elsewhere = receiver.url('/moved').replace('127.0.0.1', 'localhost');
    const moved = await call('PATCH', `/jobs/${jobId}`, {
      version: shown.version,
      kwargs: { ...shown.kwargs, url: elsewhere, secret_headers: undefined },
    });
    expect(moved.status, moved.text).toBe(200);
    expect(JSON.parse(moved.text).kwargs.secret_headers).toEqual({});
    // Showing {"set": true} back is not re-entering: refused rather than carried to the new host.
    const back = JSON.parse(moved.text);
    const marker = await call('PATCH', `/jobs/${jobId}`, {
      version: back.version,
      kwargs: {
        ...back.kwargs,
        url: receiver.url('/secured'),
        secret_headers: { Authorization: { set: true } },
      },
    });
    expect(marker.status, marker.text).toBe(422);
    const reentered = await call('PATCH', `/jobs/${jobId}`, {
      version: back.version,
      kwargs: { ...back.kwargs, url: receiver.url('/secured'), secret_headers: { Authorization: TOKEN } },
    });
    expect(reentered.status, reentered.text).toBe(200);
    expect(JSON.parse(reentered.text).kwargs.secret_headers).toEqual({ Authorization: { set: true } });
  });

  it('rotates every stored secret to the current key, idempotently, and runs still get the value', async () => {
    const keys = parseConfig({ ENCRYPTION_KEY: KEY2, ENCRYPTION_KEY_ID: 'k2', ENCRYPTION_KEYS: `k1:${KEY1}` })
      .config.encryption;
    const first = await rotateSecrets(api.deps.db.app, createSecretBox(keys));
    expect(first).toMatchObject({ rows_updated: 1, secrets_reencrypted: 1 });
    const second = await rotateSecrets(api.deps.db.app, createSecretBox(keys));
    expect(second).toMatchObject({ rows_updated: 0, secrets_reencrypted: 0, secrets_already_current: 1 });
    expect(await unopenableKeyIds(api.deps.db.app, ['k2'])).toEqual([]);
    expect(await unopenableKeyIds(api.deps.db.app, [])).toEqual(['k2']);

    const rotated = buildScheduler({ ENCRYPTION_KEY: KEY2, ENCRYPTION_KEY_ID: 'k2' });
    await runOnce(rotated);
    expect(receiver.received.at(-1)!.headers.authorization).toBe(TOKEN);
    // With only the retired key, the run fails without echoing anything secret.
    const stale = buildScheduler({ ENCRYPTION_KEY: KEY1, ENCRYPTION_KEY_ID: 'k1' });
    const before = receiver.received.length;
    await runOnce(stale);
    expect(receiver.received).toHaveLength(before);
    const [run] = await api.deps.db.app.query<{ status: string; error: { message: string } }>(
      `select status, error from job_runs where job_id = $1 order by created_at desc limit 1`,
      [jobId],
    );
    expect(run!.status).toBe('dead');
    expect(run!.error.message).toContain('no key "k2"');
  });

  it('refuses to store a secret when no key is configured', async () => {
    const jobs = createJobsService({
      db: api.deps.db.app,
      registry: createJobRegistry(),
      secrets: createSecretBox({ currentKeyId: undefined, keys: new Map() }),
    });
    await expect(
      jobs.createJob(
        {
          name: 'no-key',
          func: 'app.jobs.http:http_request',
          cron: '0 0 1 1 *',
          kwargs: { url: receiver.url(), secret_headers: { Authorization: TOKEN } },
        } as never,
        { subject: 'test' },
      ),
    ).rejects.toMatchObject({ status: 409, code: 'encryption_key_missing' });
  });
});
