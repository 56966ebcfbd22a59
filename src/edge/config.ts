// The worker's configuration: wrangler vars and secrets (c.env), parsed once per isolate with zod.
// The origin's src/config is not used here: the edge reads bindings, never process.env.
import * as z from 'zod/mini';

/** What wrangler hands the worker (vars from wrangler.toml, secrets from `wrangler secret put`). */
export interface EdgeBindings {
  ORIGIN_URL?: string;
  ORIGIN_TIMEOUT_MS?: string | number;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  RATE_LIMITS?: string | object;
  RATE_LIMIT_FAIL_MODE?: string;
  RATE_LIMIT_TIMEOUT_MS?: string | number;
  CACHE_REVALIDATE_KEEP_SECONDS?: string | number;
}

/** Like z.preprocess: normalise the raw binding, then validate. */
const from = <T extends z.ZodMiniType>(normalise: (value: unknown) => unknown, schema: T) =>
  z.pipe(z.transform(normalise), schema);

const blankIsUnset = (v: unknown) => (v === '' ? undefined : v);

const int = (fallback: number, min: number, max: number) =>
  from(
    (v) => (v === undefined || v === '' ? undefined : typeof v === 'string' ? Number(v) : v),
    z._default(z.int().check(z.gte(min), z.lte(max)), fallback),
  );

/** An @upstash/ratelimit duration such as "60 s", "10 m", "1 h". */
const windowSchema = z.pipe(
  z.string().check(z.regex(/^\d+ ?(ms|s|m|h|d)$/, 'expected a duration like "60 s", "10 m" or "1 h"')),
  z.transform((value) => value.replace(/^(\d+) ?/, '$1 ') as `${number} ${'ms' | 's' | 'm' | 'h' | 'd'}`),
);

const limitSchema = z.object({
  limit: z.int().check(z.gte(1)),
  window: windowSchema,
});

const routeGroupSchema = z.object({
  /** Requests whose path starts with this prefix belong to the group; the longest prefix wins. */
  prefix: z.string().check(z.startsWith('/')),
  /** Per client IP (CF-Connecting-IP). Every request in the group counts against it. */
  ip: z.optional(limitSchema),
  /** Per bearer token (SHA-256 of it). Counts only requests that carry `Authorization: Bearer`. */
  token: z.optional(limitSchema),
  /** Overrides RATE_LIMIT_FAIL_MODE for this group (a login route may fail closed, the API open). */
  failMode: z.optional(z.enum(['open', 'closed'])),
});

export const DEFAULT_RATE_LIMITS = {
  api: { prefix: '/api/', ip: { limit: 300, window: '60 s' }, token: { limit: 600, window: '60 s' } },
  admin: { prefix: '/admin/', ip: { limit: 120, window: '60 s' } },
} as const;

const rateLimitsSchema = from(
  (v) => {
    if (v === undefined || v === '') return DEFAULT_RATE_LIMITS;
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  },
  z.record(z.string().check(z.regex(/^[a-z0-9_-]+$/, 'group names are lowercase words')), routeGroupSchema, {
    error: 'expected a JSON object of route groups: {"api": {"prefix": "/api/", "ip": {...}}}',
  }),
);

// zod/mini, not zod: the same checks at a fraction of the bundle (see docs/performance.md).
export const edgeConfigSchema = z.object({
  ORIGIN_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL of the origin' }),
  ORIGIN_TIMEOUT_MS: int(30_000, 100, 600_000),
  UPSTASH_REDIS_REST_URL: from(blankIsUnset, z.optional(z.url({ protocol: /^https?$/ }))),
  UPSTASH_REDIS_REST_TOKEN: from(blankIsUnset, z.optional(z.string())),
  RATE_LIMITS: rateLimitsSchema,
  RATE_LIMIT_FAIL_MODE: from(blankIsUnset, z._default(z.enum(['open', 'closed']), 'open')),
  RATE_LIMIT_TIMEOUT_MS: int(1_000, 10, 60_000),
  CACHE_REVALIDATE_KEEP_SECONDS: int(86_400, 0, 31_536_000),
});

export type RateLimitRule = z.output<typeof limitSchema>;

export interface RouteGroup {
  name: string;
  prefix: string;
  ip: RateLimitRule | undefined;
  token: RateLimitRule | undefined;
  failMode: 'open' | 'closed';
}

export interface EdgeConfig {
  originUrl: URL;
  originTimeoutMs: number;
  /** Undefined when the Upstash secrets are not set: no rate limiting then. */
  upstash: { url: string; token: string } | undefined;
  /** Sorted longest prefix first. */
  routeGroups: RouteGroup[];
  rateLimitTimeoutMs: number;
  revalidateKeepSeconds: number;
}

export class EdgeConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'EdgeConfigError';
  }
}

export function parseEdgeConfig(bindings: EdgeBindings): EdgeConfig {
  const result = edgeConfigSchema.safeParse(bindings);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new EdgeConfigError(issue.path.map(String).join('.') || 'bindings', issue.message);
  }
  const env = result.data;
  if (Boolean(env.UPSTASH_REDIS_REST_URL) !== Boolean(env.UPSTASH_REDIS_REST_TOKEN)) {
    throw new EdgeConfigError(
      'UPSTASH_REDIS_REST_TOKEN',
      'set both UPSTASH_REDIS_REST_URL and the token, or neither',
    );
  }
  const routeGroups = Object.entries(env.RATE_LIMITS)
    .map(([name, group]) => ({
      name,
      prefix: group.prefix,
      ip: group.ip,
      token: group.token,
      failMode: group.failMode ?? env.RATE_LIMIT_FAIL_MODE,
    }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  return {
    originUrl: new URL(env.ORIGIN_URL),
    originTimeoutMs: env.ORIGIN_TIMEOUT_MS,
    upstash:
      env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN
        ? { url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN }
        : undefined,
    routeGroups,
    rateLimitTimeoutMs: env.RATE_LIMIT_TIMEOUT_MS,
    revalidateKeepSeconds: env.CACHE_REVALIDATE_KEEP_SECONDS,
  };
}

const parsedByBindings = new WeakMap<object, EdgeConfig>();

/** Parses once per bindings object (one per isolate in workerd). */
export function edgeConfigFor(bindings: EdgeBindings): EdgeConfig {
  let config = parsedByBindings.get(bindings);
  if (!config) {
    config = parseEdgeConfig(bindings);
    parsedByBindings.set(bindings, config);
  }
  return config;
}

export function routeGroupFor(config: EdgeConfig, path: string): RouteGroup | undefined {
  return config.routeGroups.find((group) => path.startsWith(group.prefix));
}
