// Hostile-input load over a real listening origin: 4,000 seeded requests over every route in app.routes,
// sent through a pooled keep-alive client (an undici Pool, 4 connections) as anonymous, viewer and admin.
// On top of the fuzz corpus (malformed JSON, wrong types, wrong content types, bad ids, traversal, unicode
// and NUL in params, bad query values) each request may carry: deeply nested JSON, a few-MB body, a huge
// header, many headers, spoofed X-Forwarded-For / X-Real-IP, duplicate query parameters. Whatever arrives:
// every request gets an HTTP answer (no socket error on the shared keep-alive connections) and none is a 5xx.
// The origin is src/entry/node-server.ts serving the app as production does (bodies not pre-read, so early
// refusals happen for real). Seeded: a failure names the seed and index, and reproduces.
import type { IncomingHttpHeaders } from 'node:http';
import { type Dispatcher, Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { startNodeServer } from '../../src/entry/node-server.ts';
import { adminClient } from '../support/admin-session.ts';
import { ADMIN, startTestApi, type TestApi } from '../support/api-app.ts';
import { distinctRoutes } from '../support/routes.ts';
import { type FuzzRequest, fuzzRequests, HOSTILE_STRINGS, type RouteRef } from './fuzz-corpus.ts';

const SEED = 20_261_130;
const COUNT = 4_000;
const CONNECTIONS = 4;
const FEW_MB = Buffer.alloc(3 * 1024 * 1024, '{');

/** mulberry32: a small seeded PRNG for the extra mutations (the corpus itself is seeded through fast-check). */
function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Percent-encodes each character; a lone surrogate (no UTF-8 form) becomes the invalid bytes %ED%A0%80. */
const encodeChar = (char: string) => {
  try {
    return encodeURIComponent(char);
  } catch {
    return '%ED%A0%80';
  }
};
const encodeLoose = (value: string) => Array.from(value, encodeChar).join('');
/** undici refuses (client-side) a path with bytes outside 0x21-0xFF; send those percent-encoded instead. */
const wirePath = (path: string) => path.replace(/[^\x21-\x7e]/gu, encodeChar);

const SPOOFED_ADDRESSES = [
  '127.0.0.1',
  '10.0.0.1, 127.0.0.1',
  '::1',
  'unknown',
  '1.2.3.4, 5.6.7.8, 9.10.11.12',
  'x'.repeat(100),
  '999.999.999.999',
  "'; DROP TABLE audit_log; --",
  '[::ffff:127.0.0.1]:80',
  `${'1.1.1.1,'.repeat(300)}1.1.1.1`,
];

interface WireRequest {
  index: number;
  route: RouteRef;
  method: Dispatcher.HttpMethod;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  kinds: string[];
}

/**
 * Multipart bodies as bytes, the way fetch would encode them (undici's Pool takes no FormData of another
 * undici copy); an explicit Content-Type from the corpus wins, as it does for a Request.
 */
async function encodeForms(request: FuzzRequest): Promise<FuzzRequest> {
  if (!(request.body instanceof FormData)) return request;
  const encoded = new Response(request.body);
  const headers = { ...request.headers };
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
    headers['Content-Type'] = encoded.headers.get('content-type')!;
  return { ...request, headers, body: new Uint8Array(await encoded.arrayBuffer()) };
}

/** The corpus request plus zero or more hostile extras, chosen by the seeded PRNG. */
function harden(
  request: FuzzRequest,
  index: number,
  random: () => number,
  adminSession: { cookies: string; csrf: string },
): WireRequest {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const kinds: string[] = [request.bodyKind];
  const url = new URL(request.url);
  let path = `${url.pathname}${url.search}`;
  const headers: Record<string, string> = {};
  // A hostile Content-Length is refused by undici before sending (it is the fuzz test's business, in process).
  for (const [name, value] of Object.entries(request.headers))
    if (name.toLowerCase() !== 'content-length') headers[name] = value;
  let body = request.body as WireRequest['body'];
  const method = request.method as Dispatcher.HttpMethod;
  const withBody = method !== 'GET' && method !== 'HEAD';

  // Admin pages as a signed-in admin too (the corpus' bearer tokens do not open them). Never its logout: that
  // ends the session for every later request.
  if (url.pathname.startsWith('/admin') && url.pathname !== '/admin/logout' && random() < 0.6) {
    headers.Cookie = adminSession.cookies;
    if (random() < 0.7) headers['X-CSRF-Token'] = adminSession.csrf;
    kinds.push('admin-session');
  }
  if (random() < 0.3) {
    headers['X-Forwarded-For'] = pick(SPOOFED_ADDRESSES);
    headers['X-Real-IP'] = pick(SPOOFED_ADDRESSES);
    kinds.push('spoofed-address');
  }
  if (random() < 0.15) {
    const name = pick(['page', 'page_size', 'status', 'sort', 'q', 'job_id', 'from', 'count', 'expr']);
    const values = Array.from({ length: 2 + Math.floor(random() * 4) }, () =>
      pick(HOSTILE_STRINGS).slice(0, 200),
    );
    const extra = values.map((value) => `${name}=${encodeLoose(value)}`).join('&');
    path += `${path.includes('?') ? '&' : '?'}${extra}`;
    kinds.push('duplicate-params');
  }
  if (random() < 0.05) {
    // Past Node's header limit: refused by the parser (431), delivered on the keep-alive connection.
    headers['X-Huge'] = 'h'.repeat(20_000 + Math.floor(random() * 60_000));
    kinds.push('huge-header');
  } else if (random() < 0.1) {
    for (let i = 0; i < 150; i++)
      headers[`X-Many-${i}`] = pick(HOSTILE_STRINGS)
        .replace(/[^\x20-\x7e]/g, '?')
        .slice(0, 40);
    kinds.push('many-headers');
  }
  if (withBody) {
    const roll = random();
    if (roll < 0.04) {
      body = FEW_MB;
      headers['Content-Type'] = pick(['application/json', 'multipart/form-data; boundary=x', 'text/plain']);
      kinds.push('few-mb');
    } else if (roll < 0.12) {
      const depth = pick([64, 1_000, 50_000]);
      body =
        random() < 0.5
          ? `${'['.repeat(depth)}${']'.repeat(depth)}`
          : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      headers['Content-Type'] = 'application/json';
      kinds.push('deep-json');
    }
  }
  return { index, route: request.route, method, path: wirePath(path), headers, body, kinds };
}

interface Outcome {
  request: WireRequest;
  status?: number;
  error?: string;
  responseHead?: string;
}

describe('hostile load over a pooled keep-alive client', () => {
  let api: TestApi;
  let routes: RouteRef[];
  let tokens: { admin: string; viewer: string };
  let origin: { url: string; stop(): Promise<unknown> };
  let adminSession: { cookies: string; csrf: string };

  beforeAll(async () => {
    // Rate limits are tested on their own; here every request must reach the routes.
    api = await startTestApi({ RATE_LIMIT_ENABLED: 'false' });
    tokens = { admin: await api.userToken('admin'), viewer: await api.userToken('viewer') };
    const admin = await adminClient(api, ADMIN);
    adminSession = { cookies: admin.cookies(), csrf: admin.csrfToken() };
    routes = distinctRoutes(api.app);
    // The app as the entry serves it (no test wrapper in front), over real HTTP.
    const running = await startNodeServer({
      fetch: createApp(api.deps).fetch,
      port: 0,
      host: '127.0.0.1',
      shutdownTimeoutMs: 2_000,
      logger: api.deps.logger,
    });
    origin = { url: `http://127.0.0.1:${running.port}`, stop: () => running.shutdown('test done') };
  });
  afterAll(async () => {
    await origin?.stop();
    await api?.close();
  });

  it(`answers ${COUNT} hostile requests over every route: no 5xx, no socket error`, async () => {
    expect(routes.length).toBeGreaterThan(20);
    const random = prng(SEED);
    const corpus = await Promise.all(
      fuzzRequests({ routes, count: COUNT, seed: SEED, tokens }).map(encodeForms),
    );
    const requests = corpus.map((request, index) => harden(request, index, random, adminSession));
    const pool = new Pool(origin.url, { connections: CONNECTIONS, pipelining: 1 });
    const outcomes: Outcome[] = [];
    const send = async (request: WireRequest): Promise<Outcome> => {
      try {
        const response = await pool.request({
          path: request.path,
          method: request.method,
          headers: request.headers,
          body: request.body as Dispatcher.DispatchOptions['body'],
        });
        const text = await response.body.text();
        return { request, status: response.statusCode, responseHead: head(response.headers, text) };
      } catch (error) {
        const err = error as Error & { code?: string };
        return { request, error: `${err.code ?? err.name}: ${err.message}` };
      }
    };
    try {
      // A few requests in flight per connection at most: the pool's queue is the load, bounded in count.
      let next = 0;
      const worker = async () => {
        while (next < requests.length) outcomes.push(await send(requests[next++]!));
      };
      await Promise.all(Array.from({ length: CONNECTIONS * 2 }, worker));
    } finally {
      await pool.close();
    }

    const byStatus = new Map<string, number>();
    for (const outcome of outcomes) {
      const key = outcome.error ? 'socket-error' : String(outcome.status);
      byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
    }
    const routesHit = new Set(outcomes.map((o) => `${o.request.route.method} ${o.request.route.path}`));
    const summary = Object.fromEntries([...byStatus.entries()].sort(([a], [b]) => a.localeCompare(b)));
    console.info(
      `hostile-load: seed ${SEED}, ${outcomes.length} requests over ${routesHit.size} routes on ${CONNECTIONS} keep-alive connections, statuses ${JSON.stringify(summary)}`,
    );
    const bad = outcomes
      .filter((o) => o.error !== undefined || (o.status ?? 0) >= 500)
      .map((o) => ({
        index: o.request.index,
        kinds: o.request.kinds.join('+'),
        route: `${o.request.route.method} ${o.request.route.path}`,
        sent: `${o.request.method} ${o.request.path.slice(0, 200)}`,
        got: o.error ?? `${o.status} ${o.responseHead}`,
      }));
    if (bad.length > 0) {
      const groups = new Map<string, number>();
      for (const b of bad) {
        const key = `${b.got.slice(0, 60)} | ${b.kinds}`;
        groups.set(key, (groups.get(key) ?? 0) + 1);
      }
      console.info(
        api.logs
          .filter((line) => /"level":(50|60)/.test(line))
          .slice(0, 5)
          .join('\n')
          .slice(0, 3000),
      );
      console.info(`hostile-load failures by kind:\n${[...groups].map(([k, n]) => `${n} ${k}`).join('\n')}`);
    }
    expect(outcomes).toHaveLength(COUNT);
    expect(routesHit.size).toBe(routes.length);
    expect(bad.slice(0, 10)).toEqual([]);
    expect(bad).toHaveLength(0);
  });
});

function head(headers: IncomingHttpHeaders, text: string) {
  return `${headers['content-type'] ?? ''} ${text.slice(0, 200)}`;
}
