// Fuzzing: 5,000 seeded malformed requests across every route in app.routes, in process (app.request),
// against the real database of the run. Whatever arrives: no 5xx, every error in the envelope with the
// request's trace_id, and nothing written (row counts and the files volume unchanged; the only rows allowed
// to appear are audit rows of failed logins, which are the point of auditing logins).
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-app.ts';
import { distinctRoutes } from '../support/routes.ts';
import { type FuzzRequest, fuzzRequests, type RouteRef } from './fuzz-corpus.ts';

const SEED = 20_261_122;
const COUNT = 5_000;
const TABLES = [
  'scheduled_jobs',
  'job_runs',
  'users',
  'api_tokens',
  'files',
  'audit_log',
  'alert_channels',
  'alert_incidents',
  'alert_deliveries',
] as const;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

interface Failure {
  index: number;
  problem: string;
  method: string;
  url: string;
  status: number;
  bodyKind: string;
  headers: Record<string, string>;
  response: string;
}

describe('fuzzing every route', () => {
  let api: TestApi;
  let routes: RouteRef[];
  let tokens: { admin: string; viewer: string };

  beforeAll(async () => {
    // Rate limits are tested on their own; here every request must reach the routes.
    api = await startTestApi({ RATE_LIMIT_ENABLED: 'false' });
    tokens = { admin: await api.userToken('admin'), viewer: await api.userToken('viewer') };
    routes = distinctRoutes(api.app);
  });
  afterAll(() => api.close());

  const counts = async () => {
    const result: Record<string, number> = {};
    for (const table of TABLES) {
      const [row] = await api.deps.db.app.query<{ n: number }>(`select count(*)::int as n from ${table}`);
      result[table] = row!.n;
    }
    const [failedLogins] = await api.deps.db.app.query<{ n: number }>(
      `select count(*)::int as n from audit_log where action = 'auth.login_failed'`,
    );
    result.audit_log = result.audit_log! - failedLogins!.n;
    return result;
  };

  it(`answers ${COUNT} malformed requests without a 5xx, in the envelope, writing nothing`, async () => {
    expect(routes.length).toBeGreaterThan(20);
    const before = await counts();
    const filesBefore = listFiles(api.filesDir);
    const requests = fuzzRequests({ routes, count: COUNT, seed: SEED, tokens });
    const failures: Failure[] = [];
    const byStatus = new Map<number, number>();
    const routesHit = new Set<string>();
    let sent = 0;

    const check = async (request: FuzzRequest, index: number) => {
      const response = await api.app.request(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body as BodyInit | undefined,
      });
      sent++;
      routesHit.add(`${request.route.method} ${request.route.path}`);
      byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
      const text = request.method === 'HEAD' ? '' : await response.text();
      const fail = (problem: string) =>
        failures.push({
          index,
          problem,
          method: request.method,
          url: request.url.slice(0, 300),
          status: response.status,
          bodyKind: request.bodyKind,
          headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, v.slice(0, 80)])),
          response: text.slice(0, 300),
        });
      if (response.status >= 500) return fail('5xx');
      if (MUTATING.has(request.method) && request.url.includes('/api/') && response.status < 300) {
        return fail('a malformed mutation succeeded');
      }
      if (response.status >= 400 && request.method !== 'HEAD') {
        const traceId = response.headers.get('X-Request-Id');
        if (new URL(request.url).pathname.startsWith('/admin')) {
          // The admin UI answers people: its errors are HTML pages (or an empty htmx answer), still traced.
          const type = response.headers.get('content-type') ?? '';
          if (text !== '' && !type.startsWith('text/html')) return fail(`admin error as ${type}`);
          if (!traceId) return fail('admin error without X-Request-Id');
          return;
        }
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(text);
        } catch {
          return fail('error without a JSON envelope');
        }
        const keys = Object.keys(body).sort().join(',');
        if (keys !== 'detail,error_code,message,trace_id') return fail(`envelope keys ${keys}`);
        if (!traceId || body.trace_id !== traceId) return fail('trace_id differs from X-Request-Id');
      }
    };

    for (const [index, request] of requests.entries()) await check(request, index);

    const summary = Object.fromEntries([...byStatus.entries()].sort(([a], [b]) => a - b));
    console.info(`fuzz: ${sent} requests over ${routesHit.size} routes, statuses ${JSON.stringify(summary)}`);
    expect(sent).toBe(COUNT);
    expect(routesHit.size).toBe(routes.length);
    expect(failures.slice(0, 10)).toEqual([]);
    expect(await counts()).toEqual(before);
    expect(listFiles(api.filesDir)).toEqual(filesBefore);
  });
});
