// Redis over ioredis. Commands fail fast while Redis is down (no offline queue), so callers can degrade.
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { withTimeout } from '../lib/with-timeout.ts';
import type { KeyValueStore } from './types.ts';

export function createRedisStore(
  url: string,
  options: { commandTimeoutMs?: number } = {},
): KeyValueStore & { client: Redis } {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Errors surface on commands; the event would otherwise crash the process as unhandled.
  client.on('error', () => {});
  return {
    kind: 'redis',
    client,
    get: (key) => client.get(key),
    async set(key, value, opts) {
      if (opts?.ttlSeconds) await client.set(key, value, 'EX', opts.ttlSeconds);
      else await client.set(key, value);
    },
    async del(key) {
      await client.del(key);
    },
    async incr(key, ttlSeconds) {
      if (!ttlSeconds) return client.incr(key);
      // Create the key with its TTL and count in one MULTI, so a crash between the two can never leave
      // a counter without expiry (INCR keeps the TTL SET gave it).
      const results = await client.multi().set(key, '0', 'EX', ttlSeconds, 'NX').incr(key).exec();
      if (!results) throw new Error('redis: the INCR transaction was aborted');
      const [, incremented] = results;
      if (!incremented || incremented[0]) throw incremented?.[0] ?? new Error('redis: INCR gave no result');
      return Number(incremented[1]);
    },
    async ping() {
      await client.ping();
    },
    async close() {
      // QUIT lets queued replies arrive; a Redis that does not answer is cut after a second.
      if (client.status === 'ready') {
        try {
          await withTimeout(Promise.all([once(client, 'end'), client.quit()]), 1000);
          return;
        } catch {
          // fall through
        }
      }
      client.disconnect();
    },
  };
}
