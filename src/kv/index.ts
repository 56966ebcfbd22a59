import type { Config } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import { maskSecretsInText } from '../observability/redact.ts';
import { createMemoryStore } from './memory.ts';
import { createRedisStore } from './redis.ts';
import type { KeyValueStore } from './types.ts';

export { createMemoryStore } from './memory.ts';
export { createRedisStore } from './redis.ts';
export type { KeyValueStore } from './types.ts';

export class RedisStartupError extends Error {
  readonly variable = 'REDIS_URL';
}

/** Redis when REDIS_URL is set, else memory. An unreachable Redis stops the start unless STARTUP_WITHOUT_REDIS. */
export async function createKeyValueStore(config: Config, logger: Logger): Promise<KeyValueStore> {
  if (!config.redisUrl) {
    logger.info('REDIS_URL unset: using the in-memory store (one process only)');
    return createMemoryStore();
  }
  const store = createRedisStore(config.redisUrl);
  try {
    await store.client.connect();
    await store.ping();
  } catch (error) {
    const reason = `cannot connect to Redis: ${maskSecretsInText((error as Error).message)}`;
    if (!config.startup.withoutRedis) {
      await store.close();
      throw new RedisStartupError(`REDIS_URL: ${reason}`);
    }
    logger.warn(`${reason}; starting anyway (STARTUP_WITHOUT_REDIS=true), health reports degraded`);
  }
  return store;
}
