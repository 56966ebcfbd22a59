// The origin's /api rate limit: fixed windows over the kv store (Redis; memory locally), per route group
// (auth, uploads, default). Every request counts against its client IP; a request with a bearer token also
// counts against the token (only its SHA-256 names the counter), so rotating tokens cannot escape the IP
// limit and one token cannot spread over many addresses. Responses carry the edge's X-RateLimit-* headers;
// past the limit, 429 in the envelope with Retry-After. When the store fails, requests pass (fail open)
// and a warning is logged at most once per window.
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Config } from '../config/index.ts';
import { clientIp } from './client-ip.ts';
import { AppError } from './errors.ts';
import { asLimitOutcome, hitRateLimit } from './rate-limit.ts';
import { governingOutcome, rateLimitHeaders, retryAfterSeconds } from './rate-limit-headers.ts';
import type { AppBindings } from './types.ts';

export type RateLimitGroup = keyof Config['rateLimit']['limits'];

export function rateLimitGroupFor(apiPrefix: string, method: string, path: string): RateLimitGroup {
  if (path.startsWith(`${apiPrefix}/auth/`)) return 'auth';
  if (method === 'POST' && path === `${apiPrefix}/files`) return 'uploads';
  return 'default';
}

const fingerprint = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 32);

export function apiRateLimit(
  config: Config,
  options: { exempt?: (path: string) => boolean } = {},
): MiddlewareHandler<AppBindings> {
  const { enabled, windowSeconds, limits } = config.rateLimit;
  let lastWarning = 0;
  return async (c, next) => {
    if (!enabled || c.req.method === 'OPTIONS' || options.exempt?.(c.req.path)) return next();
    const { kv, logger } = c.var.deps;
    const group = rateLimitGroupFor(config.apiPrefix, c.req.method, c.req.path);
    const limit = limits[group];
    const now = Date.now();
    const token = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const results = await Promise.all([
      hitRateLimit(kv, `api:${group}:ip:${clientIp(c)}`, limit, windowSeconds, now),
      ...(token
        ? [hitRateLimit(kv, `api:${group}:tok:${fingerprint(token)}`, limit, windowSeconds, now)]
        : []),
    ]);
    if (results.some((result) => result.degraded) && now - lastWarning > windowSeconds * 1000) {
      lastWarning = now;
      logger.warn({ group }, 'rate limit store unreachable: failing open');
    }
    const outcome = governingOutcome(
      results.map((result, index) => asLimitOutcome(index === 0 ? 'ip' : 'token', result)),
    );
    const headers = rateLimitHeaders(outcome, now);
    if (!outcome.success) {
      throw new AppError(
        429,
        'rate_limited',
        `Too many requests; retry in ${retryAfterSeconds(outcome, now)} s`,
        { limited_by: outcome.kind, group },
        headers,
      );
    }
    await next();
    for (const [name, value] of Object.entries(headers)) {
      try {
        c.res.headers.set(name, value);
      } catch {
        // An immutable response (a stream handed through): it leaves without the headers.
      }
    }
  };
}
