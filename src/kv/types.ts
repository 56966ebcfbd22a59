// One small key-value interface over Redis (ioredis), Upstash REST and memory.
export interface KeyValueStore {
  readonly kind: 'redis' | 'upstash' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options?: { ttlSeconds?: number }): Promise<void>;
  del(key: string): Promise<void>;
  /** Adds 1 and returns the new count; the TTL is set when the key is created. */
  incr(key: string, ttlSeconds?: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
