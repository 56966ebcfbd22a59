// Security headers (strict default CSP, an override point, HSTS only with HTTPS_ONLY) and the origin's /api
// rate limit: per IP and per token, X-RateLimit-* like the edge, 429 + Retry-After in the envelope, and
// failing open with a warning when the store fails.
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import {
  defaultContentSecurityPolicy,
  NON_HTML_CSP,
  STRICT_HTML_CSP,
} from '../../src/http/content-security-policy.ts';
import { createMemoryStore, type KeyValueStore } from '../../src/kv/index.ts';
import { bearer, startTestApi, type TestApi } from '../support/api-app.ts';
import { fromPeer } from '../support/client-peer.ts';
import { createTestDeps, UNUSED_DATABASE } from '../support/test-deps.ts';

describe('security headers', () => {
  it('gives HTML a strict CSP, everything else a deny-all one, and keeps a policy a page set itself', async () => {
    const app = new Hono();
    app.use(defaultContentSecurityPolicy());
    app.get('/page', (c) => c.html('<p>hi</p>'));
    app.get('/own', (c) => {
      c.header('Content-Security-Policy', "default-src 'self'; script-src 'self' 'nonce-abc'");
      return c.html('<p>admin</p>');
    });
    app.get('/json', (c) => c.json({ ok: true }));
    expect((await app.request('/page')).headers.get('Content-Security-Policy')).toBe(STRICT_HTML_CSP);
    expect(STRICT_HTML_CSP).toContain("script-src 'self'");
    expect(STRICT_HTML_CSP).not.toContain('unsafe-inline');
    expect(STRICT_HTML_CSP).toContain("frame-ancestors 'none'");
    expect((await app.request('/own')).headers.get('Content-Security-Policy')).toContain('nonce-abc');
    expect((await app.request('/json')).headers.get('Content-Security-Policy')).toBe(NON_HTML_CSP);
  });

  it('the origin sends nosniff, frame and referrer headers everywhere, HSTS only with HTTPS_ONLY', async () => {
    const plain = createApp((await createTestDeps({ app: UNUSED_DATABASE, legacy: null })).deps);
    const response = await plain.request('/healthz');
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(response.headers.get('X-Frame-Options')).toBe('SAMEORIGIN');
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(response.headers.get('Content-Security-Policy')).toBe(NON_HTML_CSP);
    expect(response.headers.get('Strict-Transport-Security')).toBeNull();
    const missing = await plain.request('/nothing/here');
    expect(missing.headers.get('Content-Security-Policy')).toBe(NON_HTML_CSP);

    const https = createApp(
      (await createTestDeps({ app: UNUSED_DATABASE, legacy: null, env: { HTTPS_ONLY: 'true' } })).deps,
    );
    expect((await https.request('/healthz')).headers.get('Strict-Transport-Security')).toMatch(
      /^max-age=31536000/,
    );
  });
});

describe('origin rate limit on /api', () => {
  let api: TestApi;
  let admin: string;
  beforeAll(async () => {
    // Requests arrive through a trusted proxy on 127.0.0.1, so X-Forwarded-For names the client.
    api = await startTestApi({ RATE_LIMIT_DEFAULT: '5', RATE_LIMIT_AUTH: '8', TRUSTED_PROXIES: '127.0.0.1' });
    admin = await api.userToken('admin');
  });
  afterAll(() => api.close());

  const get = (path: string, headers: Record<string, string>) =>
    api.app.request(`${api.config.apiPrefix}${path}`, { headers }, fromPeer('127.0.0.1'));

  it('counts per client IP: X-RateLimit-* on every answer, then 429 with Retry-After in the envelope', async () => {
    // Anonymous requests count too (the limit runs before authentication), so a 401 flood is limited.
    const ip = { 'X-Forwarded-For': '203.0.113.10' };
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await get('/jobs', ip));
    expect(answers.slice(0, 5).map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    expect(answers.map((r) => r.headers.get('X-RateLimit-Remaining'))).toEqual([
      '4',
      '3',
      '2',
      '1',
      '0',
      '0',
    ]);
    expect(answers[0]!.headers.get('X-RateLimit-Limit')).toBe('5');
    const reset = Number(answers[0]!.headers.get('X-RateLimit-Reset'));
    expect(reset).toBeGreaterThan(Date.now() / 1000 - 1);
    expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 61);
    const refused = answers[5]!;
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error_code: 'rate_limited', trace_id: refused.headers.get('X-Request-Id') });
    // A valid token does not lift the address's limit.
    expect((await get('/jobs', { ...ip, ...bearer(admin) })).status).toBe(429);
    // Another address has its own budget; the health check is never limited.
    expect((await get('/jobs', { 'X-Forwarded-For': '203.0.113.11', ...bearer(admin) })).status).toBe(200);
    expect((await get('/health', ip)).status).toBe(200);
  });

  it('counts per token across addresses, so one token cannot spread its load', async () => {
    const token = await api.userToken('viewer');
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await get('/jobs', { 'X-Forwarded-For': `198.51.100.${i}`, ...bearer(token) })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await get('/jobs', { 'X-Forwarded-For': '198.51.100.99', ...bearer(token) });
    expect(((await refused.json()) as { detail: { limited_by: string } }).detail.limited_by).toBe('token');
  });

  it('the auth group has its own limit, with the same X-RateLimit-* headers (no draft RateLimit-*)', async () => {
    const ip = { 'X-Forwarded-For': '192.0.2.50' };
    const me = await get('/auth/me', { ...ip, ...bearer(admin) });
    expect(me.headers.get('X-RateLimit-Limit')).toBe('8');
    expect(me.headers.get('RateLimit-Limit')).toBeNull();
  });
});

describe('rate limit with a failing store', () => {
  it('fails open: requests pass, no 5xx, one warning per window', async () => {
    const broken: KeyValueStore = {
      ...createMemoryStore(),
      incr: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
    };
    const api = await startTestApi({ RATE_LIMIT_DEFAULT: '1' }, { kv: broken });
    try {
      const admin = await api.userToken('admin');
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        statuses.push(
          (await api.app.request(`${api.config.apiPrefix}/jobs`, { headers: bearer(admin) })).status,
        );
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      const warnings = api.logs.filter((line) => line.includes('rate limit store unreachable'));
      expect(warnings).toHaveLength(1);
    } finally {
      await api.close();
    }
  });
});
