// Load shedding: past the in-flight bound or with the event loop late, a request is refused at once with 503 in
// the envelope and Retry-After; exempt paths always pass; capacity comes back as requests finish.
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { describe, expect, it } from 'vitest';
import { loadShedding } from '../../src/http/load-shedding.ts';

function appWith(options: Parameters<typeof loadShedding>[0]) {
  const gates: (() => void)[] = [];
  const app = new Hono();
  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.use(loadShedding(options));
  app.get('/slow', async (c) => {
    await new Promise<void>((resolve) => gates.push(resolve));
    return c.json({ ok: true });
  });
  app.get('/fast', (c) => c.json({ ok: true }));
  app.get('/health', (c) => c.json({ ok: true }));
  return { app, gates };
}

describe('load shedding', () => {
  it('refuses past the in-flight bound with 503, the envelope and Retry-After; accepts again once one finished', async () => {
    const { app, gates } = appWith({ maxInFlight: 2, maxLagMs: 60_000, exempt: (p) => p === '/health' });
    const held = [app.request('/slow'), app.request('/slow')];
    await new Promise((resolve) => setImmediate(resolve));
    expect(gates).toHaveLength(2);
    const refused = await app.request('/fast');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    const body = (await refused.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error_code: 'overloaded', detail: { retry_after_seconds: 1 } });
    expect(body.trace_id).toBe(refused.headers.get('x-request-id'));
    expect((await app.request('/health')).status).toBe(200);
    gates.shift()!();
    expect((await held[0]!).status).toBe(200);
    expect((await app.request('/fast')).status).toBe(200);
    gates.shift()!();
    expect((await held[1]!).status).toBe(200);
  });

  it('a late event loop alone (little in flight) refuses nothing', async () => {
    const { app } = appWith({ maxInFlight: 100, maxLagMs: 250, lagMinInFlight: 1 });
    expect((await app.request('/fast')).status).toBe(200);
    const until = performance.now() + 1_000;
    while (performance.now() < until) {
      // busy
    }
    expect((await app.request('/fast')).status).toBe(200);
  });

  const busyFor = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy
    }
  };

  it('refuses nothing after one long pause: what queued behind it is answered', async () => {
    const { app } = appWith({ maxInFlight: 100, maxLagMs: 250, lagMinInFlight: 0 });
    expect((await app.request('/fast')).status).toBe(200);
    busyFor(1_000);
    expect((await app.request('/fast')).status).toBe(200);
  });

  it('refuses while the event loop stays late, and not once it has caught up', async () => {
    const { app } = appWith({ maxInFlight: 100, maxLagMs: 250, lagMinInFlight: 0 });
    expect((await app.request('/fast')).status).toBe(200);
    // Late at the sampler's turn, and late again now: the loop is not keeping up.
    busyFor(1_000);
    await new Promise((resolve) => setTimeout(resolve, 0));
    busyFor(1_000);
    expect((await app.request('/fast')).status).toBe(503);
    // Two sampler turns on an idle loop bring the lag back down.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await app.request('/fast')).status).toBe(200);
  });
});
