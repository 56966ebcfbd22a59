// Fixed-window counters over the kv store (Redis, or memory locally). Used by the login limiter and meant
// for the origin's general rate limits too. A kv failure lets the request through: a Redis outage degrades
// limits, it does not turn into 5xx.
import type { KeyValueStore } from '../kv/index.ts';

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the current window ends (the Retry-After value when refused). */
  retryAfterSeconds: number;
  /** True when the store failed and the request was let through unchecked. */
  degraded: boolean;
}

export async function hitRateLimit(
  kv: KeyValueStore,
  key: string,
  limit: number,
  windowSeconds: number,
  now: number = Date.now(),
): Promise<RateLimitResult> {
  const window = Math.floor(now / 1000 / windowSeconds);
  const retryAfterSeconds = Math.max(1, Math.ceil((window + 1) * windowSeconds - now / 1000));
  try {
    const count = await kv.incr(`rl:${key}:${window}`, windowSeconds + 1);
    return {
      allowed: count <= limit,
      limit,
      remaining: Math.max(0, limit - count),
      retryAfterSeconds,
      degraded: false,
    };
  } catch {
    return { allowed: true, limit, remaining: limit, retryAfterSeconds, degraded: true };
  }
}

/** The standard headers for a limited response (the edge sends the same ones). */
export function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  return {
    'RateLimit-Limit': String(result.limit),
    'RateLimit-Remaining': String(result.remaining),
    'RateLimit-Reset': String(result.retryAfterSeconds),
    ...(result.allowed ? {} : { 'Retry-After': String(result.retryAfterSeconds) }),
  };
}
