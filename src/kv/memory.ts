// In-memory store: the local default when REDIS_URL is unset. One process only.
import type { KeyValueStore } from './types.ts';

interface Entry {
  value: string;
  expiresAt: number | undefined;
}

export function createMemoryStore(now: () => number = Date.now): KeyValueStore {
  const entries = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    kind: 'memory',
    get: async (key) => live(key)?.value ?? null,
    async set(key, value, options) {
      const ttl = options?.ttlSeconds;
      entries.set(key, { value, expiresAt: ttl ? now() + ttl * 1000 : undefined });
    },
    async del(key) {
      entries.delete(key);
    },
    async incr(key, ttlSeconds) {
      const entry = live(key);
      const next = (entry ? Number(entry.value) : 0) + 1;
      entries.set(key, {
        value: String(next),
        expiresAt: entry ? entry.expiresAt : ttlSeconds ? now() + ttlSeconds * 1000 : undefined,
      });
      return next;
    },
    ping: async () => {},
    close: async () => {
      entries.clear();
    },
  };
}
