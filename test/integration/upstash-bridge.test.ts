// The Upstash-REST bridge (test/support) with the real clients the edge uses, over a real redis-server.
import { Ratelimit } from '@upstash/ratelimit';
import { Redis as UpstashRedis } from '@upstash/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realRedisUrl } from '../support/real-servers.ts';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge.ts';

describe.skipIf(!realRedisUrl())('Upstash REST bridge over a real redis-server', () => {
  let bridge: UpstashBridge;
  let client: UpstashRedis;
  const prefix = `bridge-test-${process.pid}`;

  beforeAll(async () => {
    bridge = await startUpstashBridge({ redisUrl: realRedisUrl()!, token: 'bridge-token' });
    client = new UpstashRedis({ url: bridge.url, token: bridge.token, retry: false, enableTelemetry: false });
  });
  afterAll(async () => {
    await bridge?.close();
  });

  it('runs single commands with base64 responses (the client default) and keeps non-ASCII text intact', async () => {
    await client.set(`${prefix}:greeting`, 'grüß dich ✓');
    expect(await client.get(`${prefix}:greeting`)).toBe('grüß dich ✓');
    expect(await client.incr(`${prefix}:n`)).toBe(1);
    expect(await client.incr(`${prefix}:n`)).toBe(2);
    expect(await client.get(`${prefix}:missing`)).toBeNull();
  });

  it('answers without base64 when the client does not ask for it', async () => {
    const response = await fetch(bridge.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${bridge.token}` },
      body: JSON.stringify(['ECHO', 'plain']),
    });
    expect(await response.json()).toEqual({ result: 'plain' });
  });

  it('runs pipelines and MULTI/EXEC transactions', async () => {
    const pipeline = client.pipeline();
    pipeline.set(`${prefix}:p`, 'one');
    pipeline.get(`${prefix}:p`);
    pipeline.incr(`${prefix}:p`); // fails: not an integer; the others still answer
    await expect(pipeline.exec()).rejects.toThrow(/not an integer/);

    const tx = client.multi();
    tx.set(`${prefix}:t`, '5');
    tx.incrby(`${prefix}:t`, 2);
    tx.get(`${prefix}:t`);
    expect(await tx.exec()).toEqual(['OK', 7, 7]);
  });

  it('refuses a wrong token', async () => {
    const intruder = new UpstashRedis({
      url: bridge.url,
      token: 'wrong',
      retry: false,
      enableTelemetry: false,
    });
    await expect(intruder.get('anything')).rejects.toThrow(/Unauthorized/);
  });

  it('lets @upstash/ratelimit count and block on this Redis version', async () => {
    const limiter = new Ratelimit({
      redis: client,
      limiter: Ratelimit.slidingWindow(2, '1 h'),
      prefix: `${prefix}:rl`,
      timeout: 0,
      ephemeralCache: false,
    });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await limiter.limit('client-a'));
    expect(results.map((r) => [r.success, r.remaining])).toEqual([
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect((await limiter.limit('client-b')).success).toBe(true);
  });

  it('strips the Lua shebang exactly when Redis is older than 7.2 (which rejects it)', async () => {
    const direct = new Redis(realRedisUrl()!);
    try {
      const [major, minor] = ((await direct.info('server')).match(/redis_version:(\d+)\.(\d+)/) ?? [])
        .slice(1)
        .map(Number) as [number, number];
      const oldRedis = major * 100 + minor < 702;
      expect(bridge.stripsScriptShebang).toBe(oldRedis);
      const withShebang = '#!lua flags=allow-key-locking\nreturn 1';
      if (oldRedis) await expect(direct.eval(withShebang, 0)).rejects.toThrow();
      // Through the bridge the same script runs, by EVAL and then by the SHA of the original text.
      expect(await client.eval(withShebang, [], [])).toBe(1);
      const sha = await client.scriptLoad(withShebang);
      expect(await client.evalsha(sha, [], [])).toBe(1);
    } finally {
      direct.disconnect();
    }
  });
});
