// Redis is killed (SIGKILL) while the API is under load: the API keeps answering (no 5xx), health says
// degraded, the /api rate limit fails open with a warning, login still works; once Redis is back, health is
// healthy again. Real redis-server, real app DB, the whole app in process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../../src/kv/index.ts';
import { ADMIN, bearer, startTestApi, type TestApi } from '../../support/api-app.ts';
import { fromPeer } from '../../support/client-peer.ts';
import { findRedisBinary, type RedisServer, startRedis } from '../../support/redis-server.ts';
import { eventually } from '../../support/scheduler-harness.ts';

const LIMIT = 100;
const CONCURRENCY = 8;

describe.skipIf(!findRedisBinary())('Redis killed under load', () => {
  let redis: RedisServer;
  let api: TestApi;
  let kv: ReturnType<typeof createRedisStore>;
  let admin: string;

  beforeAll(async () => {
    redis = await startRedis();
    kv = createRedisStore(redis.url);
    await kv.client.connect();
    api = await startTestApi(
      { REDIS_URL: redis.url, RATE_LIMIT_DEFAULT: String(LIMIT), TRUSTED_PROXIES: '127.0.0.1' },
      { kv },
    );
    admin = await api.userToken('admin');
  });
  afterAll(async () => {
    await api?.close();
    await redis?.stop();
  });

  const jobs = (ip: string) =>
    api.app.request(
      `${api.config.apiPrefix}/jobs`,
      {
        headers: { ...bearer(admin), 'X-Forwarded-For': ip },
      },
      fromPeer('127.0.0.1'),
    );
  const health = async () => {
    const response = await api.app.request(`${api.config.apiPrefix}/health`);
    return { status: response.status, body: (await response.json()) as { status: string } };
  };

  it('keeps answering without a 5xx, degraded, with limits failing open, and heals when Redis returns', async () => {
    expect((await health()).body.status).toBe('healthy');
    const ip = '203.0.113.200';

    // With Redis up the limit holds: past LIMIT in the window, 429.
    const first: number[] = [];
    for (let i = 0; i < LIMIT + 10; i++) first.push((await jobs(ip)).status);
    expect(first.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(first.every((s) => s === 200 || s === 429)).toBe(true);

    // Load from CONCURRENCY workers; Redis is killed while they run, and they go on for AFTER_KILL more.
    const statuses: { status: number; afterKill: boolean }[] = [];
    const AFTER_KILL = 300;
    const CAP = 5_000;
    let killed = false;
    let afterKillSent = 0;
    const worker = async () => {
      while (afterKillSent < AFTER_KILL && statuses.length < CAP) {
        const afterKill = killed;
        if (afterKill) afterKillSent++;
        statuses.push({ status: (await jobs(ip)).status, afterKill });
      }
    };
    const load = Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await eventually(async () => statuses.length >= 50);
    await redis.kill();
    killed = true;
    const degraded = await health();
    await load;

    expect(statuses.filter((s) => s.status >= 500)).toEqual([]);
    expect(degraded).toMatchObject({ status: 200, body: { status: 'degraded' } });
    // Failing open: with Redis gone, the same over-limit client is served.
    const afterKill = statuses.filter((s) => s.afterKill);
    expect(afterKill.length).toBeGreaterThanOrEqual(AFTER_KILL);
    expect(afterKill.every((s) => s.status === 200)).toBe(true);
    expect(api.logs.some((line) => line.includes('rate limit store unreachable: failing open'))).toBe(true);

    // Login (its limiter and lockout live in Redis too) still works.
    const login = await api.app.request(`${api.config.apiPrefix}/auth/token`, {
      method: 'POST',
      body: new URLSearchParams(ADMIN),
    });
    expect(login.status).toBe(200);

    await redis.start();
    await eventually(async () => (await health()).body.status === 'healthy', 10_000);
    // Counting again: a new address, anonymous (the admin token's own counter is spent in this window).
    const fresh = await api.app.request(
      `${api.config.apiPrefix}/jobs`,
      {
        headers: { 'X-Forwarded-For': '203.0.113.201' },
      },
      fromPeer('127.0.0.1'),
    );
    expect(fresh.status).toBe(401);
    expect(fresh.headers.get('X-RateLimit-Remaining')).toBe(String(LIMIT - 1));
  });
});
