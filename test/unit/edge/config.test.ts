import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, parseEdgeConfig, routeGroupFor } from '../../../src/edge/config.ts';
import { bearerToken, tokenFingerprint, windowMs } from '../../../src/edge/rate-limit.ts';

describe('edge worker configuration (bindings)', () => {
  it('has safe defaults beside ORIGIN_URL', () => {
    const config = parseEdgeConfig({ ORIGIN_URL: 'https://origin.example.com' });
    expect(config.originTimeoutMs).toBe(30_000);
    expect(config.upstash).toBeUndefined();
    expect(config.rateLimitTimeoutMs).toBe(1000);
    expect(config.routeGroups.map((group) => [group.name, group.prefix, group.failMode])).toEqual([
      ['admin', '/admin/', 'open'],
      ['api', '/api/', 'open'],
    ]);
    expect(config.routeGroups.find((group) => group.name === 'api')!.ip).toEqual(DEFAULT_RATE_LIMITS.api.ip);
  });

  it('reads wrangler vars given as strings or as TOML tables (objects)', () => {
    const groups = { auth: { prefix: '/api/v1/auth/', ip: { limit: 5, window: '10m' }, failMode: 'closed' } };
    for (const RATE_LIMITS of [JSON.stringify(groups), groups]) {
      const config = parseEdgeConfig({
        ORIGIN_URL: 'http://127.0.0.1:8000',
        ORIGIN_TIMEOUT_MS: '2500',
        RATE_LIMITS,
        RATE_LIMIT_FAIL_MODE: 'open',
        UPSTASH_REDIS_REST_URL: 'https://eu1.upstash.io',
        UPSTASH_REDIS_REST_TOKEN: 'token',
      });
      expect(config.originTimeoutMs).toBe(2500);
      expect(config.upstash).toEqual({ url: 'https://eu1.upstash.io', token: 'token' });
      expect(config.routeGroups).toEqual([
        {
          name: 'auth',
          prefix: '/api/v1/auth/',
          ip: { limit: 5, window: '10 m' },
          token: undefined,
          failMode: 'closed',
        },
      ]);
    }
  });

  it('applies RATE_LIMIT_FAIL_MODE to groups without their own', () => {
    const config = parseEdgeConfig({ ORIGIN_URL: 'http://origin', RATE_LIMIT_FAIL_MODE: 'closed' });
    expect(config.routeGroups.every((group) => group.failMode === 'closed')).toBe(true);
  });

  it('matches the longest prefix', () => {
    const config = parseEdgeConfig({
      ORIGIN_URL: 'http://origin',
      RATE_LIMITS: { api: { prefix: '/api/' }, auth: { prefix: '/api/v1/auth/' } },
    });
    expect(routeGroupFor(config, '/api/v1/auth/login')?.name).toBe('auth');
    expect(routeGroupFor(config, '/api/v1/jobs')?.name).toBe('api');
    expect(routeGroupFor(config, '/healthz')).toBeUndefined();
  });

  it.each([
    [{}, /^ORIGIN_URL/],
    [{ ORIGIN_URL: 'ftp://origin' }, /^ORIGIN_URL/],
    [{ ORIGIN_URL: 'http://o', ORIGIN_TIMEOUT_MS: 'soon' }, /^ORIGIN_TIMEOUT_MS/],
    [{ ORIGIN_URL: 'http://o', RATE_LIMIT_FAIL_MODE: 'maybe' }, /^RATE_LIMIT_FAIL_MODE/],
    [{ ORIGIN_URL: 'http://o', RATE_LIMITS: '{not json' }, /^RATE_LIMITS: expected a JSON object/],
    [
      {
        ORIGIN_URL: 'http://o',
        RATE_LIMITS: { api: { prefix: '/api/', ip: { limit: 5, window: '5 weeks' } } },
      },
      /window/,
    ],
    [{ ORIGIN_URL: 'http://o', UPSTASH_REDIS_REST_URL: 'https://x.upstash.io' }, /^UPSTASH_REDIS_REST_TOKEN/],
  ])('refuses %j', (bindings, message) => {
    expect(() => parseEdgeConfig(bindings as never)).toThrow(message);
  });

  it('reads bearer tokens and never keeps them in the clear', async () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer   abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
    const fingerprint = await tokenFingerprint('abc.def');
    expect(fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(fingerprint).not.toContain('abc');
    expect(await tokenFingerprint('abc.def')).toBe(fingerprint);
  });

  it('converts windows to milliseconds', () => {
    expect(windowMs('60 s')).toBe(60_000);
    expect(windowMs('1 h')).toBe(3_600_000);
  });
});
