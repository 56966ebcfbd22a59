// Fixed-window counters over the kv store (Redis, or memory locally), used by the login limiter and the
// origin's /api limits (api-rate-limit.ts). A kv failure lets the request through: a Redis outage degrades
// limits, it does not turn into 5xx.
import type { KeyValueStore } from '../kv/index.ts';
import { rateLimitHeaders as headersFor, type LimitKind, type LimitOutcome } from './rate-limit-headers.ts';

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix time in milliseconds when the window ends. */
  resetMs: number;
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
  const resetMs = (window + 1) * windowSeconds * 1000;
  const retryAfterSeconds = Math.max(1, Math.ceil((resetMs - now) / 1000));
  try {
    const count = await kv.incr(`rl:${key}:${window}`, windowSeconds + 1);
    return {
      allowed: count <= limit,
      limit,
      remaining: Math.max(0, limit - count),
      resetMs,
      retryAfterSeconds,
      degraded: false,
    };
  } catch {
    return { allowed: true, limit, remaining: limit, resetMs, retryAfterSeconds, degraded: true };
  }
}

export function asLimitOutcome(kind: LimitKind, result: RateLimitResult): LimitOutcome {
  return {
    kind,
    success: result.allowed,
    limit: result.limit,
    remaining: result.remaining,
    resetMs: result.resetMs,
  };
}

/** The headers for a limited response: the same X-RateLimit-* the edge sends (rate-limit-headers.ts). */
export function rateLimitHeaders(result: RateLimitResult, now = Date.now()): Record<string, string> {
  return headersFor(asLimitOutcome('ip', result), now);
}
