// The key-value contract, on the in-memory store and on a real redis-server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore, createRedisStore, type KeyValueStore } from '../../src/kv/index.ts';
import { realRedisUrl } from '../support/real-servers.ts';

const stores: {
  name: string;
  skip: boolean;
  open: () => Promise<KeyValueStore & { ttl?: (k: string) => Promise<number> }>;
}[] = [
  { name: 'memory', skip: false, open: async () => createMemoryStore() },
  {
    name: 'real Redis',
    skip: !realRedisUrl(),
    open: async () => {
      const store = createRedisStore(realRedisUrl()!);
      await store.client.connect();
      return { ...store, ttl: (key: string) => store.client.ttl(key) };
    },
  },
];

for (const { name, skip, open } of stores) {
  describe.skipIf(skip)(`key-value store: ${name}`, () => {
    let store: Awaited<ReturnType<typeof open>>;
    const prefix = `kvtest:${Math.random().toString(36).slice(2)}:`;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('sets, gets and deletes', async () => {
      expect(await store.get(`${prefix}a`)).toBeNull();
      await store.set(`${prefix}a`, 'one');
      expect(await store.get(`${prefix}a`)).toBe('one');
      await store.del(`${prefix}a`);
      expect(await store.get(`${prefix}a`)).toBeNull();
      await store.ping();
    });

    it('counts with INCR and gives a new key its TTL once', async () => {
      expect(await store.incr(`${prefix}n`, 60)).toBe(1);
      expect(await store.incr(`${prefix}n`, 60)).toBe(2);
      expect(await store.incr(`${prefix}n`)).toBe(3);
      expect(await store.incr(`${prefix}plain`)).toBe(1);
      if (store.ttl) {
        const ttl = await store.ttl(`${prefix}n`);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60);
        expect(await store.ttl(`${prefix}plain`)).toBe(-1);
      }
    });

    it('expires a key set with a TTL', async () => {
      await store.set(`${prefix}t`, 'x', { ttlSeconds: 30 });
      expect(await store.get(`${prefix}t`)).toBe('x');
      if (store.ttl) expect(await store.ttl(`${prefix}t`)).toBeGreaterThan(0);
    });
  });
}

describe('memory store expiry (injected clock)', () => {
  it('drops keys past their TTL', async () => {
    let now = 1_000;
    const store = createMemoryStore(() => now);
    await store.set('k', 'v', { ttlSeconds: 2 });
    expect(await store.incr('c', 2)).toBe(1);
    now += 1_999;
    expect(await store.get('k')).toBe('v');
    expect(await store.incr('c', 2)).toBe(2);
    now += 1;
    expect(await store.get('k')).toBeNull();
    expect(await store.incr('c', 2)).toBe(1);
  });
});

describe.skipIf(!realRedisUrl())('redis store close', () => {
  it('quits cleanly when connected and returns at once when never connected', async () => {
    const connected = createRedisStore(realRedisUrl()!);
    await connected.client.connect();
    await connected.close();
    expect(connected.client.status).toBe('end');
    const idle = createRedisStore(realRedisUrl()!);
    await idle.close();
    expect(['end', 'wait']).toContain(idle.client.status);
  });
});
