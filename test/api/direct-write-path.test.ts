// @hono/node-server answers cheaply only while the app leaves its lightweight Request and Response alone:
// reading the request's body or signal builds a full fetch Request, and c.res touched before the handler
// or c.header() after it copies the answer into a real Response whose body is then read back as a stream.
// The shared middleware chain (request id, logger, metrics, security headers, CSP, CORS, load shedding,
// auth, body limit, cache headers, ETags) must keep both on the direct path for the hot reads.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createChangeFeed } from '../../src/db/change-feed.ts';
import { createPageCache, type PageCache } from '../../src/http/page-cache.ts';
import { bearer, startTestApi, type TestApi } from '../support/api-app.ts';

const ALLOWED = 'https://app.example.com';
let api: TestApi;
let base: string;
let close: () => Promise<void>;
let pages: PageCache;
let seen: { request: Request; response: Response } | undefined;

/** The private symbols @hono/node-server keeps its state under, by description. */
function symbolValue(target: object, description: string): unknown {
  const symbol = Object.getOwnPropertySymbols(target).find((s) => s.description === description);
  return symbol ? (target as Record<symbol, unknown>)[symbol] : undefined;
}

beforeAll(async () => {
  api = await startTestApi({ CORS_ORIGINS: `["${ALLOWED}"]` });
  // The app as the origin builds it, with its page cache (startTestApi's own copy has none and checks every
  // answer against the OpenAPI document, which reads each body).
  pages = createPageCache(await createChangeFeed(api.deps.db.app, api.deps.logger));
  const app = createApp({ ...api.deps, pages });
  await new Promise<void>((resolve) => {
    const server = serve(
      {
        port: 0,
        hostname: '127.0.0.1',
        fetch: async (request: Request, env: unknown) => {
          const response = await app.fetch(request, env);
          seen = { request, response };
          return response;
        },
      },
      (info: AddressInfo) => {
        base = `http://127.0.0.1:${info.port}`;
        close = () =>
          new Promise<void>((done) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close(() => done());
          });
        resolve();
      },
    );
  });
});
afterAll(async () => {
  await close?.();
  await pages?.close();
  await api?.close();
});

async function served(path: string, headers: Record<string, string> = {}) {
  seen = undefined;
  const answer = await fetch(`${base}${api.config.apiPrefix}${path}`, { headers });
  const body = await answer.text();
  expect(seen, path).toBeDefined();
  return { answer, body, ...seen! };
}

function expectDirect(request: Request, response: Response, what: string) {
  expect(symbolValue(request, 'requestCache'), `${what}: a full Request was built`).toBeUndefined();
  expect(symbolValue(response, 'cache'), `${what}: the answer left the direct-write path`).toBeDefined();
}

describe('the hot reads stay on the direct-write path', () => {
  it('health, the jobs list and a job, with and without an allowed Origin, keep their headers', async () => {
    const token = await api.userToken('viewer');
    const admin = await api.userToken('admin');
    const created = await fetch(`${base}${api.config.apiPrefix}/jobs`, {
      method: 'POST',
      headers: { ...bearer(admin), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'direct-path', func: 'app.jobs.heartbeat:hello_job', cron: '0 3 * * *' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };

    for (const origin of [{}, { Origin: ALLOWED }] as Record<string, string>[]) {
      const label = 'Origin' in origin ? 'with Origin' : 'without Origin';
      const health = await served('/health', origin);
      expect(health.answer.status).toBe(200);
      expectDirect(health.request, health.response, `health ${label}`);

      const list = await served('/jobs?page_size=100', { ...origin, ...bearer(token) });
      expect(list.answer.status).toBe(200);
      expect(JSON.parse(list.body).items.map((job: { name: string }) => job.name)).toContain('direct-path');
      expectDirect(list.request, list.response, `list ${label}`);

      const job = await served(`/jobs/${id}`, { ...origin, ...bearer(token) });
      expect(job.answer.status).toBe(200);
      expectDirect(job.request, job.response, `job ${label}`);

      for (const { answer } of [health, list, job]) {
        expect(answer.headers.get('x-request-id')).toBeTruthy();
        expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
        expect(answer.headers.get('vary')).toContain('Origin');
        expect(answer.headers.get('access-control-allow-origin')).toBe('Origin' in origin ? ALLOWED : null);
      }
      expect(list.answer.headers.get('etag')).toBeTruthy();
      expect(list.answer.headers.get('cache-control')).toBe('private, no-cache');
      expect(health.answer.headers.get('cache-control')).toBe('no-store');
    }
  });
});
