import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { createLoginGuard } from '../../src/features/auth/login-guard.ts';
import { AppError } from '../../src/http/errors.ts';
import { hitRateLimit, rateLimitHeaders } from '../../src/http/rate-limit.ts';
import { createMemoryStore, type KeyValueStore } from '../../src/kv/index.ts';

describe('hitRateLimit (fixed window over the kv store)', () => {
  it('allows up to the limit in a window, refuses past it with the seconds left, and resets next window', async () => {
    let now = Date.UTC(2026, 0, 1, 0, 0, 10);
    const kv = createMemoryStore(() => now);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await hitRateLimit(kv, 'k', 3, 60, now));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[3]).toMatchObject({ remaining: 0, retryAfterSeconds: 50, degraded: false });
    expect(rateLimitHeaders(results[3]!, now)).toEqual({
      'Retry-After': '50',
      'X-RateLimit-Limit': '3',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(Date.UTC(2026, 0, 1, 0, 1, 0) / 1000),
    });
    now += 50_000;
    expect((await hitRateLimit(kv, 'k', 3, 60, now)).allowed).toBe(true);
  });

  it('lets requests through, marked degraded, when the store fails', async () => {
    const broken = {
      ...createMemoryStore(),
      incr: () => Promise.reject(new Error('redis down')),
    } as KeyValueStore;
    expect(await hitRateLimit(broken, 'k', 1, 60)).toMatchObject({ allowed: true, degraded: true });
  });
});

describe('login guard', () => {
  const { config } = parseConfig({ LOGIN_LOCKOUT_THRESHOLD: '2', LOGIN_LOCKOUT_SECONDS: '300' });

  it('locks a user name after the threshold until the lockout ends, whatever its case', async () => {
    let now = Date.UTC(2026, 0, 1);
    const guard = createLoginGuard(
      createMemoryStore(() => now),
      config.auth,
      () => now,
    );
    await guard.beforeAttempt('1.2.3.4', 'Alice');
    expect(await guard.afterFailure('Alice')).toEqual({ locked: false });
    expect(await guard.afterFailure('alice')).toEqual({ locked: true });
    const refused = await guard.beforeAttempt('5.6.7.8', 'ALICE').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 429, code: 'login_locked', headers: { 'Retry-After': '300' } });
    now += 301_000;
    await expect(guard.beforeAttempt('5.6.7.8', 'alice')).resolves.toBeUndefined();
  });

  it('forgets failures after a success', async () => {
    const now = Date.UTC(2026, 0, 1);
    const guard = createLoginGuard(
      createMemoryStore(() => now),
      config.auth,
      () => now,
    );
    await guard.afterFailure('bob');
    await guard.afterSuccess('bob');
    expect(await guard.afterFailure('bob')).toEqual({ locked: false });
  });
});
