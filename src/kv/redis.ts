// Redis over ioredis. Commands fail fast while Redis is down (no offline queue), so callers can degrade.
import { Redis } from 'ioredis';
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
      const [[, count]] = (await client.multi().incr(key).exec()) as [[Error | null, number]];
      if (ttlSeconds && count === 1) await client.expire(key, ttlSeconds);
      return count;
    },
    async ping() {
      await client.ping();
    },
    async close() {
      client.disconnect();
    },
  };
}
