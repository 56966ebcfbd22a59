// Edge rate limit: @upstash/ratelimit (sliding window) on @upstash/redis over REST, per route group,
// by client IP and, for bearer requests, by token. X-RateLimit-* go on every response of a limited group.
// Every request counts against its IP: a client cannot escape the IP limit by inventing tokens, which the
// edge cannot verify. When Redis cannot answer, the edge fails open (logs a warning) or, configured so,
// closed (503).
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis/cloudflare';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../http/envelope.ts';
import {
  governingOutcome,
  type LimitKind,
  type LimitOutcome,
  rateLimitHeaders,
  retryAfterSeconds,
} from '../http/rate-limit-headers.ts';
import { type EdgeConfig, type RateLimitRule, type RouteGroup, routeGroupFor } from './config.ts';
import { edgeLog } from './log.ts';
import type { EdgeEnv } from './types.ts';
import { waitUntilOf } from './wait-until.ts';

interface LimitCheck {
  kind: LimitKind;
  rule: RateLimitRule;
  identifier: string;
}

// One limiter per group and kind, per isolate: creating one opens nothing (REST), and keeping it lets
// @upstash/ratelimit's in-memory cache of blocked identifiers spare Redis the repeat offenders.
const limiters = new Map<string, Ratelimit>();

function limiterFor(config: EdgeConfig, group: RouteGroup, check: LimitCheck): Ratelimit {
  const upstash = config.upstash!;
  const key = [upstash.url, group.name, check.kind, check.rule.limit, check.rule.window].join('|');
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = new Ratelimit({
      redis: new Redis({ url: upstash.url, token: upstash.token, retry: false, enableTelemetry: false }),
      limiter: Ratelimit.slidingWindow(check.rule.limit, check.rule.window),
      prefix: `edge-rl:${group.name}:${check.kind}`,
      // The edge applies its own timeout so fail-closed can refuse; the library's would always allow.
      timeout: 0,
      analytics: false,
    });
    limiters.set(key, limiter);
  }
  return limiter;
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** The token is never stored or sent to Redis: only a SHA-256 of it names its counter. */
export async function tokenFingerprint(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)]
    .slice(0, 16)
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('');
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function windowMs(window: string): number {
  const [amount, unit] = window.split(' ') as [string, keyof typeof UNIT_MS];
  return Number(amount) * UNIT_MS[unit];
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function edgeRateLimit(): MiddlewareHandler<EdgeEnv> {
  let warnedUnconfigured = false;
  return async (c, next) => {
    const config = c.var.config;
    const group = routeGroupFor(config, c.req.path);
    if (!group) return next();
    if (!config.upstash) {
      if (!warnedUnconfigured) {
        warnedUnconfigured = true;
        edgeLog(
          'warn',
          'rate limiting is off: UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are unset',
        );
      }
      return next();
    }

    const checks: LimitCheck[] = [];
    if (group.ip) checks.push({ kind: 'ip', rule: group.ip, identifier: c.var.clientIp ?? 'unknown' });
    const token = bearerToken(c.req.header('authorization'));
    if (group.token && token) {
      checks.push({ kind: 'token', rule: group.token, identifier: await tokenFingerprint(token) });
    }
    if (checks.length === 0) return next();

    const waitUntil = waitUntilOf(() => c.executionCtx);
    let outcomes: LimitOutcome[];
    try {
      outcomes = await withTimeout(
        Promise.all(
          checks.map(async (check) => {
            const result = await limiterFor(config, group, check).limit(check.identifier);
            waitUntil(result.pending);
            return {
              kind: check.kind,
              success: result.success,
              limit: result.limit,
              remaining: result.remaining,
              resetMs: result.reset,
            };
          }),
        ),
        config.rateLimitTimeoutMs,
      );
    } catch (error) {
      const fields = {
        trace_id: c.var.requestId,
        group: group.name,
        reason: error instanceof Error ? error.message : String(error),
      };
      if (group.failMode === 'closed') {
        edgeLog('error', 'rate limit store unreachable: failing closed', fields);
        throw new AppError(
          503,
          'service_unavailable',
          'Rate limiting is unavailable; try again shortly',
          null,
          {
            'Retry-After': '5',
          },
        );
      }
      edgeLog('warn', 'rate limit store unreachable: failing open', fields);
      // Nothing was counted: the headers show the full allowance of the configured rule.
      outcomes = checks.map((check) => ({
        kind: check.kind,
        success: true,
        limit: check.rule.limit,
        remaining: check.rule.limit,
        resetMs: Date.now() + windowMs(check.rule.window),
      }));
    }

    const outcome = governingOutcome(outcomes);
    const headers = rateLimitHeaders(outcome);
    if (!outcome.success) {
      throw new AppError(
        429,
        'rate_limited',
        `Too many requests; retry in ${retryAfterSeconds(outcome)} s`,
        { limited_by: outcome.kind, group: group.name },
        headers,
      );
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
