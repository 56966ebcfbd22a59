// The edge worker in workerd (wrangler dev) in front of the real origin process (src/entry/node.ts), rate
// limiting through the Upstash-REST bridge on a private redis-server that the tests can take down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeWorker, startEdgeWorker } from '../support/edge-worker.ts';
import { type RunningOrigin, startOrigin } from '../support/origin-process.ts';
import { findRedisBinary, type RedisServer, startRedis } from '../support/redis-server.ts';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge.ts';

// One-day windows: a sliding window weighs in the previous window's count at a boundary, so only a run
// that crosses midnight UTC could see other numbers.
const IP_LIMIT = 3;
const TOKEN_LIMIT = 2;

describe.skipIf(!findRedisBinary())('edge worker (workerd) in front of the real origin', () => {
  let redis: RedisServer;
  let bridge: UpstashBridge;
  let origin: RunningOrigin;
  let edge: EdgeWorker;
  const get = (path: string, headers: Record<string, string>) => fetch(`${edge.url}${path}`, { headers });

  beforeAll(async () => {
    redis = await startRedis();
    bridge = await startUpstashBridge({ redisUrl: redis.url, token: 'edge-origin-token' });
    origin = await startOrigin();
    edge = await startEdgeWorker({
      ORIGIN_URL: origin.url,
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.token,
      RATE_LIMIT_FAIL_MODE: 'open',
      RATE_LIMIT_TIMEOUT_MS: '2000',
      RATE_LIMITS: JSON.stringify({
        api: {
          prefix: '/api/',
          ip: { limit: IP_LIMIT, window: '1 d' },
          token: { limit: TOKEN_LIMIT, window: '1 d' },
        },
        login: { prefix: '/api/v1/auth/', ip: { limit: 100, window: '1 d' }, failMode: 'closed' },
      }),
    });
  });
  afterAll(async () => {
    await edge?.stop();
    await origin?.stop();
    await bridge?.close();
    await redis?.stop();
  });

  it('proxies the origin health (no-store: BYPASS) with rate-limit headers', async () => {
    const response = await get('/api/v1/health', { 'CF-Connecting-IP': '192.0.2.1' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; components: Record<string, unknown> };
    expect(body.status).toBe('healthy');
    expect(Object.keys(body.components)).toEqual(expect.arrayContaining(['app_db']));
    expect(response.headers.get('x-cache')).toBe('BYPASS');
    expect(response.headers.get('x-ratelimit-limit')).toBe(String(IP_LIMIT));
    expect(response.headers.get('x-ratelimit-remaining')).toBe(String(IP_LIMIT - 1));
    expect(Number(response.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
  });

  it("carries the request id to the origin: the origin's error envelope names the client's id", async () => {
    // Unknown route: 404, or 401 where authentication guards /api/v1 before routing.
    const response = await get('/api/v1/nothing-here', {
      'CF-Connecting-IP': '192.0.2.2',
      'X-Request-Id': 'edge-origin-trace-1',
    });
    expect([401, 404]).toContain(response.status);
    expect(await response.json()).toMatchObject({
      error_code: response.status === 404 ? 'not_found' : 'unauthorized',
      trace_id: 'edge-origin-trace-1',
    });
    expect(response.headers.get('x-request-id')).toBe('edge-origin-trace-1');
    expect(response.headers.get('x-cache')).toBe('BYPASS');
  });

  it("serves the origin's public OpenAPI document from the edge cache on the second GET", async () => {
    const direct = await fetch(`${origin.url}/api/openapi.json`);
    expect(direct.status).toBe(200);
    expect(direct.headers.get('cache-control')).toMatch(/public/);
    const headers = { 'CF-Connecting-IP': '192.0.2.3' };
    const first = await get('/api/openapi.json', headers);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const document = await first.json();
    const second = await get('/api/openapi.json', { 'CF-Connecting-IP': '192.0.2.4' });
    expect(second.status).toBe(200);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(await second.json()).toEqual(document);
  });

  it('answers 429 in the envelope with Retry-After past the per-IP limit', async () => {
    const headers = { 'CF-Connecting-IP': '192.0.2.10' };
    const remaining: string[] = [];
    for (let i = 0; i < IP_LIMIT; i++) {
      const response = await get('/api/v1/health', headers);
      expect(response.status).toBe(200);
      remaining.push(response.headers.get('x-ratelimit-remaining')!);
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const limited = await get('/api/v1/health', { ...headers, 'X-Request-Id': 'edge-limited-1' });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({
      error_code: 'rate_limited',
      message: expect.stringMatching(/^Too many requests; retry in \d+ s$/),
      detail: { limited_by: 'ip', group: 'api' },
      trace_id: 'edge-limited-1',
    });
    expect(limited.headers.get('x-ratelimit-limit')).toBe(String(IP_LIMIT));
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);

    // Another client is not affected.
    expect((await get('/api/v1/health', { 'CF-Connecting-IP': '192.0.2.11' })).status).toBe(200);
  });

  it('limits each bearer token on its own (the token is hashed, never sent to Redis)', async () => {
    const asToken = (token: string, ip: string) => ({
      'CF-Connecting-IP': ip,
      Authorization: `Bearer ${token}`,
    });
    expect((await get('/api/v1/health', asToken('token-a', '192.0.2.20'))).status).toBe(200);
    const last = await get('/api/v1/health', asToken('token-a', '192.0.2.21'));
    expect(last.headers.get('x-ratelimit-limit')).toBe(String(TOKEN_LIMIT));
    expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
    // From a third address: the IP limit has room, the token has none.
    const limited = await get('/api/v1/health', asToken('token-a', '192.0.2.22'));
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { detail: unknown }).detail).toEqual({
      limited_by: 'token',
      group: 'api',
    });
    expect((await get('/api/v1/health', asToken('token-b', '192.0.2.22'))).status).toBe(200);
  });

  it('fails open with a warning when Redis is down, and closed for a group configured so', async () => {
    await redis.kill();
    try {
      const open = await get('/api/v1/health', { 'CF-Connecting-IP': '192.0.2.30' });
      expect(open.status).toBe(200);
      // Nothing was counted: the headers show the whole allowance.
      expect(open.headers.get('x-ratelimit-remaining')).toBe(String(IP_LIMIT));
      await edge.process.waitForOutput(/rate limit store unreachable: failing open/, 10_000);

      const closed = await get('/api/v1/auth/login', {
        'CF-Connecting-IP': '192.0.2.31',
        'X-Request-Id': 'edge-closed-1',
      });
      expect(closed.status).toBe(503);
      expect(await closed.json()).toEqual({
        error_code: 'service_unavailable',
        message: 'Rate limiting is unavailable; try again shortly',
        detail: null,
        trace_id: 'edge-closed-1',
      });
      expect(closed.headers.get('retry-after')).toBe('5');
    } finally {
      await redis.start();
    }
  });

  it('answers 502 in the envelope once the origin is stopped', async () => {
    expect(await origin.stop()).toBe(0);
    const response = await get('/api/v1/health', {
      'CF-Connecting-IP': '192.0.2.40',
      'X-Request-Id': 'edge-502-1',
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error_code: 'bad_gateway',
      message: 'The origin is unreachable',
      detail: null,
      trace_id: 'edge-502-1',
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-request-id')).toBe('edge-502-1');
    expect(response.headers.has('x-ratelimit-limit')).toBe(true);
  });
});
