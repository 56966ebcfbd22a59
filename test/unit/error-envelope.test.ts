// Every 4xx/5xx is {error_code, message, detail, trace_id}, with trace_id equal to the X-Request-Id header.
// Probe routes live outside /api, where authentication (tested in test/api) would answer first.
import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { AppError } from '../../src/http/errors.ts';
import { requireRole } from '../../src/http/principal.ts';
import { createRouter } from '../../src/http/router.ts';
import { createTestDeps, UNUSED_DATABASE } from '../support/test-deps.ts';

const PRODUCTION_ENV = {
  APP_ENV: 'production',
  DB_APP_URL: 'postgresql://app:Passw0rd-db-1@db.internal:5432/app',
  REDIS_URL: 'redis://redis.internal:6379/0',
  ADMIN_PASSWORD: 'a-long-Adm1n-password',
  JWT_SECRET_KEY: '0123456789abcdef0123456789abcdef0123456789abcdef',
  METRICS_PORT: '9464',
};

const createWidget = createRoute({
  method: 'post',
  path: '/widgets',
  request: {
    query: z.object({ dry_run: z.enum(['true', 'false']).optional() }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({ name: z.string().min(1), count: z.number().int().min(0) }),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'created',
      content: { 'application/json': { schema: z.object({ name: z.string(), count: z.number() }) } },
    },
  },
});

/** The app under test plus a few routes that exercise each error path. */
async function testApp(env: Record<string, string> = {}) {
  const { deps, log } = await createTestDeps({ env, app: UNUSED_DATABASE, legacy: null });
  const app = createApp(deps);
  const probe = createRouter()
    .openapi(createWidget, (c) => c.json(c.req.valid('json'), 201))
    .get('/boom', () => {
      throw new Error('connect failed for postgres://app:hunter2@db.internal/app (password=hunter2)');
    })
    .get('/conflict', () => {
      throw new AppError(409, 'version_conflict', 'The job changed meanwhile', { current_version: 3 });
    })
    .get('/admin-only', requireRole('admin'), (c) => c.text('secret'));
  app.route('/probe', probe);
  return { app, log };
}

async function expectEnvelope(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['detail', 'error_code', 'message', 'trace_id']);
  expect(body.error_code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.trace_id).toMatch(/.+/);
  expect(body.trace_id).toBe(response.headers.get('x-request-id'));
  return body;
}

describe('error envelope', () => {
  it('404 for an unknown route', async () => {
    const { app } = await testApp();
    const body = await expectEnvelope(await app.request('/nothing-here'), 404, 'not_found');
    expect(body.message).toBe('No route for GET /nothing-here');
    expect(body.detail).toBeNull();
  });

  it('405 with Allow for a known path and a wrong method', async () => {
    const { app } = await testApp();
    const response = await app.request('/api/v1/health', { method: 'DELETE' });
    const body = await expectEnvelope(response, 405, 'method_not_allowed');
    expect(response.headers.get('allow')).toMatch(/\bGET\b/);
    expect(body.detail).toEqual({ allowed_methods: expect.arrayContaining(['GET']) });
  });

  it('422 listing each validation issue with where it was found', async () => {
    const { app } = await testApp();
    const response = await app.request('/probe/widgets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '', count: 'many' }),
    });
    const body = await expectEnvelope(response, 422, 'validation_error');
    const issues = body.detail as { location: string; path: string; message: string; code: string }[];
    expect(issues.map((issue) => [issue.location, issue.path]).sort()).toEqual([
      ['json', 'count'],
      ['json', 'name'],
    ]);
    const query = await app.request('/probe/widgets?dry_run=perhaps', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'a', count: 1 }),
    });
    const queryBody = await expectEnvelope(query, 422, 'validation_error');
    expect(queryBody.detail).toEqual([expect.objectContaining({ location: 'query', path: 'dry_run' })]);
  });

  it('the valid request passes the same route', async () => {
    const { app } = await testApp();
    const response = await app.request('/probe/widgets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'a', count: 2 }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ name: 'a', count: 2 });
  });

  it('400 for malformed JSON, never a 500', async () => {
    const { app, log } = await testApp();
    const response = await app.request('/probe/widgets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": "a", ',
    });
    const body = await expectEnvelope(response, 400, 'bad_request');
    expect(body.message).toMatch(/JSON/i);
    expect(log.lines.some((line) => line.msg === 'unhandled error')).toBe(false);
  });

  it('AppError keeps its status, code and detail; requireRole answers 401 with WWW-Authenticate', async () => {
    const { app } = await testApp();
    const conflict = await expectEnvelope(await app.request('/probe/conflict'), 409, 'version_conflict');
    expect(conflict.detail).toEqual({ current_version: 3 });
    const anonymous = await app.request('/probe/admin-only');
    await expectEnvelope(anonymous, 401, 'unauthorized');
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('500 from a throwing route: generic message, no stack, secrets masked locally', async () => {
    const { app, log } = await testApp();
    const response = await app.request('/probe/boom');
    const body = await expectEnvelope(response, 500, 'internal_error');
    expect(body.message).toBe('Internal server error');
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/hunter2|\bat .+\.ts:\d+/);
    expect(body.detail).toEqual({ error: expect.stringContaining('connect failed') });
    // The log has the error (masked) and the same trace id.
    const logged = log.lines.find((line) => line.msg === 'unhandled error');
    expect(logged?.trace_id).toBe(body.trace_id);
    expect(JSON.stringify(log.lines)).not.toContain('hunter2');
  });

  it('500 in production: no internal detail at all', async () => {
    const { app } = await testApp(PRODUCTION_ENV);
    const body = await expectEnvelope(await app.request('/probe/boom'), 500, 'internal_error');
    expect(body.detail).toBeNull();
    expect(JSON.stringify(body)).not.toMatch(/connect failed|postgres|stack/);
  });
});

describe('X-Request-Id', () => {
  it('echoes a well-formed incoming id on success and error responses', async () => {
    const { app } = await testApp();
    const ok = await app.request('/healthz', { headers: { 'X-Request-Id': 'edge-7f3a9c_01' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBe('edge-7f3a9c_01');
    const missing = await app.request('/nope', { headers: { 'X-Request-Id': 'edge-7f3a9c_02' } });
    const body = await expectEnvelope(missing, 404, 'not_found');
    expect(body.trace_id).toBe('edge-7f3a9c_02');
  });

  it('replaces a malformed or oversized id with a generated one', async () => {
    const { app } = await testApp();
    for (const bad of ['has spaces in it', '<script>alert(1)</script>', 'x'.repeat(129), 'id;drop']) {
      const response = await app.request('/nope', { headers: { 'X-Request-Id': bad } });
      const body = await expectEnvelope(response, 404, 'not_found');
      expect(body.trace_id).not.toBe(bad);
      expect(body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('generates one when none is sent, different per request', async () => {
    const { app } = await testApp();
    const a = (await app.request('/healthz')).headers.get('x-request-id');
    const b = (await app.request('/healthz')).headers.get('x-request-id');
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(b).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });
});
