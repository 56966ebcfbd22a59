// The edge worker in workerd (wrangler dev) in front of a dedicated test origin: a tiny Node server that
// answers with chosen Cache-Control and ETag headers and counts what reaches it, so every cache outcome
// is checked against what the origin really saw.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeWorker, startEdgeWorker } from '../support/edge-worker.ts';
import { realRedisUrl } from '../support/real-servers.ts';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge.ts';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** Resources by path: their Cache-Control and ETag (a 304 answers a matching If-None-Match). */
const RESOURCES: Record<string, { cacheControl: string; etag?: string; setCookie?: boolean; vary?: string }> =
  {
    '/api/public': { cacheControl: 'public, max-age=300', etag: '"p1"' },
    '/api/public-head': { cacheControl: 'public, max-age=300' },
    '/api/shared-only': { cacheControl: 's-maxage=300' },
    '/api/public-for-all': { cacheControl: 'public, s-maxage=300' },
    '/api/private': { cacheControl: 'private, max-age=300' },
    '/api/no-store': { cacheControl: 'no-store' },
    '/api/revalidate': { cacheControl: 'public, no-cache', etag: '"r1"' },
    '/api/with-cookie': { cacheControl: 'public, max-age=300', setCookie: true },
    '/admin/page': { cacheControl: 'public, max-age=300' },
    // What the origin's CORS middleware does to every response.
    '/api/vary-origin': { cacheControl: 'public, max-age=300', vary: 'Origin' },
  };

function startTestOrigin() {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://origin').pathname;
    seen.push({ method: req.method ?? '', path, headers: req.headers });
    if (path === '/api/slow') return; // never answers: the edge must time out
    if (path === '/api/echo') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end(JSON.stringify({ headers: req.headers }));
    }
    const resource = RESOURCES[path];
    if (!resource) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end('{}');
    }
    const headers: Record<string, string> = { 'cache-control': resource.cacheControl };
    if (resource.etag) headers.etag = resource.etag;
    if (resource.setCookie) headers['set-cookie'] = 'session=abc; HttpOnly';
    if (resource.vary) headers.vary = resource.vary;
    if (resource.etag && req.headers['if-none-match'] === resource.etag) {
      res.writeHead(304, headers);
      return res.end();
    }
    const body = JSON.stringify({
      path,
      served: seen.filter((s) => s.path === path).length,
      origin: req.headers.origin ?? null,
    });
    res.writeHead(200, { ...headers, 'content-type': 'application/json' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        seen,
        close: () => {
          server.closeAllConnections();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

describe.skipIf(!realRedisUrl())('edge worker cache (workerd) in front of a test origin', () => {
  let origin: Awaited<ReturnType<typeof startTestOrigin>>;
  let bridge: UpstashBridge;
  let edge: EdgeWorker;
  let ipCounter = 0;
  /** A fresh client address per request keeps the (generous) rate limit out of these tests. */
  const nextIp = () => `198.51.100.${++ipCounter}`;
  const get = (path: string, init: RequestInit = {}) =>
    fetch(`${edge.url}${path}`, {
      ...init,
      headers: { 'CF-Connecting-IP': nextIp(), ...(init.headers as Record<string, string>) },
    });
  const originHits = (path: string) => origin.seen.filter((s) => s.path === path);

  beforeAll(async () => {
    origin = await startTestOrigin();
    bridge = await startUpstashBridge({ redisUrl: realRedisUrl()!, token: 'edge-cache-token' });
    edge = await startEdgeWorker({
      ORIGIN_URL: origin.url,
      ORIGIN_TIMEOUT_MS: '1500',
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.token,
      RATE_LIMITS: JSON.stringify({
        [`cache${process.pid}`]: { prefix: '/api/', ip: { limit: 1000, window: '1 h' } },
      }),
    });
  });
  afterAll(async () => {
    await edge?.stop();
    await bridge?.close();
    await origin?.close();
  });

  it('stores a public resource: MISS, then HIT without reaching the origin', async () => {
    const first = await get('/api/public');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const firstBody = await first.json();

    const second = await get('/api/public');
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(await second.json()).toEqual(firstBody);
    expect(second.headers.get('cache-control')).toBe('public, max-age=300');
    expect(second.headers.get('etag')).toBe('"p1"');
    expect(Number(second.headers.get('age'))).toBeGreaterThanOrEqual(0);
    expect(second.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(originHits('/api/public')).toHaveLength(1);
  });

  it('keeps one entry per value of the headers the origin varies on (Vary: Origin)', async () => {
    const asOrigin = (origin?: string) =>
      get('/api/vary-origin', origin ? { headers: { Origin: origin } } : {});
    expect((await asOrigin()).headers.get('x-cache')).toBe('MISS');
    expect((await asOrigin('https://a.example')).headers.get('x-cache')).toBe('MISS');
    const hitWithout = await asOrigin();
    expect(hitWithout.headers.get('x-cache')).toBe('HIT');
    expect(((await hitWithout.json()) as { origin: unknown }).origin).toBeNull();
    const hitA = await asOrigin('https://a.example');
    expect(hitA.headers.get('x-cache')).toBe('HIT');
    expect(((await hitA.json()) as { origin: unknown }).origin).toBe('https://a.example');
    expect(hitA.headers.get('vary')).toBe('Origin');
    expect((await asOrigin('https://b.example')).headers.get('x-cache')).toBe('MISS');
    expect(originHits('/api/vary-origin')).toHaveLength(3);
  });

  it("answers a client's matching If-None-Match from the cache with 304", async () => {
    await get('/api/public');
    const conditional = await get('/api/public', { headers: { 'If-None-Match': '"p1"' } });
    expect(conditional.status).toBe(304);
    expect(conditional.headers.get('x-cache')).toBe('HIT');
    expect(originHits('/api/public')).toHaveLength(1);
  });

  it('serves HEAD from the entry a HEAD miss filled (fetched from the origin as GET)', async () => {
    const head = await get('/api/public-head', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-cache')).toBe('MISS');
    const after = await get('/api/public-head');
    expect(after.headers.get('x-cache')).toBe('HIT');
    expect(await after.json()).toEqual({ path: '/api/public-head', served: 1, origin: null });
    expect(originHits('/api/public-head').map((s) => s.method)).toEqual(['GET']);
  });

  it('never caches private or no-store responses, nor responses that set a cookie', async () => {
    for (const path of ['/api/private', '/api/no-store', '/api/with-cookie']) {
      expect((await get(path)).headers.get('x-cache')).toBe('BYPASS');
      expect((await get(path)).headers.get('x-cache')).toBe('BYPASS');
      expect(originHits(path)).toHaveLength(2);
    }
  });

  it('bypasses the cache for requests with Authorization or cookies unless the origin said public', async () => {
    // s-maxage without public: shared-cacheable for anonymous requests only.
    expect((await get('/api/shared-only')).headers.get('x-cache')).toBe('MISS');
    expect((await get('/api/shared-only')).headers.get('x-cache')).toBe('HIT');
    const withToken = await get('/api/shared-only', { headers: { Authorization: 'Bearer secret-1' } });
    expect(withToken.headers.get('x-cache')).toBe('BYPASS');
    const withCookie = await get('/api/shared-only', { headers: { Cookie: 'session=abc' } });
    expect(withCookie.headers.get('x-cache')).toBe('BYPASS');
    expect(originHits('/api/shared-only')).toHaveLength(3);

    // public: stored even when asked with credentials, and served to them.
    const auth = { headers: { Authorization: 'Bearer secret-2' } };
    expect((await get('/api/public-for-all', auth)).headers.get('x-cache')).toBe('MISS');
    expect((await get('/api/public-for-all', auth)).headers.get('x-cache')).toBe('HIT');
    expect((await get('/api/public-for-all')).headers.get('x-cache')).toBe('HIT');
    expect(originHits('/api/public-for-all')).toHaveLength(1);
  });

  it('revalidates a stale entry with If-None-Match and serves the stored body on 304', async () => {
    const first = await get('/api/revalidate');
    expect(first.headers.get('x-cache')).toBe('MISS');
    const firstBody = await first.json();

    const second = await get('/api/revalidate');
    expect(second.headers.get('x-cache')).toBe('REVALIDATED');
    expect(await second.json()).toEqual(firstBody);
    expect(second.headers.get('cache-control')).toBe('public, no-cache');

    const hits = originHits('/api/revalidate');
    expect(hits).toHaveLength(2);
    expect(hits[0]!.headers['if-none-match']).toBeUndefined();
    expect(hits[1]!.headers['if-none-match']).toBe('"r1"');
  });

  it('passes /admin through uncached even when the origin calls it public', async () => {
    expect((await get('/admin/page')).headers.get('x-cache')).toBe('BYPASS');
    expect((await get('/admin/page')).headers.get('x-cache')).toBe('BYPASS');
    expect(originHits('/admin/page')).toHaveLength(2);
  });

  it('never caches other methods', async () => {
    const post = await get('/api/public', { method: 'POST', body: '{}' });
    expect(post.headers.get('x-cache')).toBe('BYPASS');
    expect(originHits('/api/public').at(-1)!.method).toBe('POST');
  });

  it('forwards X-Forwarded-For/Proto/Host and X-Request-Id, echoing a sane incoming id', async () => {
    const response = await fetch(`${edge.url}/api/echo`, {
      headers: {
        'CF-Connecting-IP': '203.0.113.7',
        'X-Forwarded-For': '10.9.9.9', // spoofed by the client: replaced
        'X-Request-Id': 'edge-test-trace-1',
      },
    });
    const { headers } = (await response.json()) as { headers: IncomingHttpHeaders };
    expect(headers['x-forwarded-for']).toBe('203.0.113.7');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe(new URL(edge.url).host);
    expect(headers['x-request-id']).toBe('edge-test-trace-1');
    expect(response.headers.get('x-request-id')).toBe('edge-test-trace-1');

    const generated = await get('/api/echo', { headers: { 'X-Request-Id': 'bad id with spaces' } });
    const id = generated.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await generated.json()) as { headers: IncomingHttpHeaders }).headers['x-request-id']).toBe(id);
  });

  it('answers 504 in the envelope when the origin does not answer in time', async () => {
    const response = await get('/api/slow', { headers: { 'X-Request-Id': 'edge-timeout-1' } });
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({
      error_code: 'gateway_timeout',
      message: 'The origin did not answer within 1500 ms',
      detail: null,
      trace_id: 'edge-timeout-1',
    });
    expect(response.headers.get('x-request-id')).toBe('edge-timeout-1');
    expect(response.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
