// The one place that makes an API operation's OpenAPI description complete. Route files call defineRoute()
// instead of createRoute(): from the route's access (public or the least role), its request parts and its own
// extra error statuses it adds every status the server can answer with (401/403 from authentication, 404 for a
// missing or malformed id, 400/413/415 where a body is taken, 422 for invalid input, 429 from the /api rate
// limit, 500), the envelope for each, and the response headers each of them carries (shared header components).
// Handlers are typed with AppRouteHandler<typeof route>.
import { createRoute, type RouteConfig, type RouteHandler, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { ErrorEnvelopeSchema } from './errors.ts';
import { type Role, requireRole } from './principal.ts';
import type { AppBindings } from './types.ts';

/** A handler typed by its route: input from the request schemas, output from the declared responses. */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppBindings>;

export const BEARER_SCHEME = 'bearerAuth';
export const OAUTH2_SCHEME = 'oauth2Password';

/** The document's tags, each with a description (every operation names exactly one). */
export const API_TAGS = {
  health: 'Readiness of the origin and its dependencies (public).',
  auth: 'Log in for an access token; who the caller is.',
  users: 'People who log in, with a role (admin).',
  tokens: 'Named API tokens for machines, with a role (admin).',
  files: 'Uploads on the file volume: metadata, streamed downloads with Range, soft delete.',
  jobs: 'Scheduled jobs: cron, zone, function and arguments; archived, never deleted.',
  runs: 'One row per fire, manual run, retry, skip or miss of a job.',
  functions: 'The job functions this build registers, with the JSON Schema of their arguments.',
  cron: 'Check a cron expression in a zone and see its next fire times.',
  alerts: 'Alert channels (webhook, Slack, Discord, e-mail), their deliveries and the open incidents.',
  audit: 'Who changed what and when: the append-only audit log (admin).',
} as const;
export type ApiTag = keyof typeof API_TAGS;

// ---- Response headers: one component each, referenced from every response that carries it ----

const integer = { type: 'integer' as const };
const text = { type: 'string' as const };

export const HEADER_COMPONENTS = {
  'X-Request-Id': {
    description:
      'The request id (yours when you sent a valid one, else generated); also `trace_id` in errors.',
    required: true,
    schema: text,
  },
  'Cache-Control': { description: 'How the answer may be cached.', schema: text },
  Vary: { description: 'The request headers the answer depends on (Authorization).', schema: text },
  'X-RateLimit-Limit': { description: 'Requests allowed in the current window.', schema: integer },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window.', schema: integer },
  'X-RateLimit-Reset': {
    description: 'Unix time (seconds) when the window has room again.',
    schema: integer,
  },
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: integer },
  'WWW-Authenticate': { description: 'The authentication scheme to use (Bearer).', schema: text },
  Allow: { description: 'The methods the path allows.', schema: text },
  ETag: {
    description: 'The representation’s version; send it as If-None-Match (or If-Match).',
    schema: text,
  },
  Location: { description: 'The URL of the created or queued resource.', schema: text },
  Pragma: { description: 'no-cache, for HTTP/1.0 caches.', schema: text },
  'Accept-Ranges': { description: 'bytes: the content can be fetched in ranges.', schema: text },
  'Content-Range': {
    description: 'The range sent (`bytes 0-99/1234`), or the size on a 416 (`bytes */1234`).',
    schema: text,
  },
  'Content-Disposition': { description: 'attachment, with the file’s name.', schema: text },
} as const;
export type HeaderName = keyof typeof HEADER_COMPONENTS;

type HeaderRefs = Record<string, { $ref: string }>;
const headerRefs = (names: readonly HeaderName[]): HeaderRefs =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

// ---- Errors ----

const ERROR_DESCRIPTIONS = {
  400: 'Malformed request (e.g. a body that is not valid JSON)',
  401: 'Not authenticated (missing, invalid or expired token)',
  403: 'Authenticated, but the role is too small',
  404: 'Not found (an id that is not a UUID names nothing, so it is not found too)',
  405: 'Method not allowed',
  409: 'Conflict with the current state',
  412: 'Precondition failed (If-Match did not match)',
  413: 'Payload too large',
  415: 'Unsupported media type',
  416: 'Range not satisfiable',
  422: 'Validation failed; detail lists every issue of the request',
  428: 'Precondition required',
  429: 'Too many requests; wait Retry-After seconds',
  500: 'Internal error',
  503: 'Service unavailable',
} as const;
export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** Headers an error of that status carries beyond the common ones. */
const ERROR_HEADERS: Partial<Record<ErrorStatus, HeaderName[]>> = {
  401: ['WWW-Authenticate'],
  405: ['Allow'],
  416: ['Content-Range'],
  429: ['Retry-After'],
};

const errorContent = { 'application/json': { schema: ErrorEnvelopeSchema } };
type ErrorResponse = { description: string; content: typeof errorContent; headers: HeaderRefs };

// ---- Routes ----

type SuccessResponse = {
  description: string;
  content?: RouteConfig['responses'][string] extends infer R
    ? R extends { content?: infer C }
      ? C
      : never
    : never;
  /** Headers beyond the common ones (X-Request-Id, Cache-Control, rate limit). */
  headers?: readonly HeaderName[];
};

export interface ApiRouteConfig {
  /** Stable camelCase name: generated clients name their functions after it. */
  operationId: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  tag: ApiTag;
  summary: string;
  description?: string;
  /** 'public' needs no token; otherwise the least role the caller must have. */
  access: 'public' | Role;
  request?: RouteConfig['request'];
  /** The answers the handler itself sends (2xx, 304 is added to every GET). */
  responses: Record<number, SuccessResponse>;
  /** Error statuses this operation sends beyond the ones derived from its access and request. */
  errors?: readonly ErrorStatus[];
  /** false for the paths the /api rate limit exempts (the health check). */
  rateLimited?: boolean;
}

const RATE_LIMIT_HEADERS: HeaderName[] = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'];

/** The statuses an operation can answer with, derived from what it is (so a new route cannot forget them). */
export function errorStatusesOf(config: ApiRouteConfig): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>(config.errors ?? []);
  if (config.access !== 'public') statuses.add(401);
  if (config.access === 'operator' || config.access === 'admin') statuses.add(403);
  if (config.path.includes('{id}')) statuses.add(404);
  const request = config.request;
  if (request?.query || request?.headers || request?.body) statuses.add(422);
  if (request?.body) {
    statuses.add(400);
    statuses.add(415);
  }
  // The /api body limit (src/http/body-limit.ts) refuses a large body on any method, even where none is read.
  statuses.add(413);
  if (config.rateLimited !== false) statuses.add(429);
  statuses.add(500);
  return [...statuses].sort((a, b) => a - b);
}

type RouteOf<C extends ApiRouteConfig> = Omit<
  C,
  'access' | 'errors' | 'tag' | 'rateLimited' | 'responses'
> & {
  tags: string[];
  middleware: MiddlewareHandler[];
  responses: {
    [S in keyof C['responses']]: Omit<C['responses'][S], 'headers'> & { headers: HeaderRefs };
  } & { [S in ErrorStatus]?: ErrorResponse } & { 304?: { description: string; headers: HeaderRefs } };
};

/** createRoute() with everything the contract needs filled in from the route's access and request. */
export function defineRoute<const C extends ApiRouteConfig>(config: C) {
  const { access, errors: _errors, tag, rateLimited, responses, ...rest } = config;
  const common: HeaderName[] = [
    'X-Request-Id',
    'Cache-Control',
    ...(rateLimited === false ? [] : RATE_LIMIT_HEADERS),
  ];
  // GET answers pass through the ETag middleware (src/http/caching.ts): ETag, Vary and 304 on every one.
  const revalidated = config.method === 'get' && access !== 'public';
  const out: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(responses)) {
    const extra: HeaderName[] = [
      ...(revalidated ? (['ETag', 'Vary'] as const) : []),
      ...(response.headers ?? []),
    ];
    out[status] = { ...response, headers: headerRefs([...new Set([...common, ...extra])]) };
  }
  if (revalidated) {
    out[304] = {
      description: 'Not modified: the ETag you sent as If-None-Match still matches',
      headers: headerRefs([...common, 'ETag', 'Vary']),
    };
  }
  for (const status of errorStatusesOf(config)) {
    out[status] = {
      description: ERROR_DESCRIPTIONS[status],
      content: errorContent,
      headers: headerRefs([...common, ...(ERROR_HEADERS[status] ?? [])]),
    };
  }
  return createRoute({
    ...rest,
    tags: [tag],
    middleware: access === 'public' ? [] : [requireRole(access)],
    ...(access === 'public' ? { security: [] } : {}),
    responses: out,
  } as unknown as RouteOf<C> & { path: C['path'] });
}

// ---- Content helpers ----

export function jsonContent<T extends z.ZodType>(
  schema: T,
  description: string,
  headers?: readonly HeaderName[],
) {
  return { description, content: { 'application/json': { schema } }, ...(headers ? { headers } : {}) };
}

export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { 'application/json': { schema } } };
}

/**
 * An input field with a default applied by the server. The document shows the default in the description
 * but leaves out the `default` keyword (removed by withoutServerDefaults() when the document is built):
 * generators (openapi-typescript) turn a field with `default` into a required one, and a client must be able
 * to leave it out.
 */
export function withDefault<T extends z.ZodType>(schema: T, value: z.input<T>, description?: string) {
  const shown = JSON.stringify(value);
  return (schema as unknown as z.ZodType<z.output<T>, z.input<T>>).default(value as never).openapi({
    [SERVER_DEFAULT_MARK]: true,
    description: `${description ? `${description} ` : ''}Default: ${shown}.`,
  });
}

/**
 * Adds a `head` operation beside every `get` (in place): the server answers HEAD for every GET route with the
 * same status and headers and no body, and a client or a validating proxy should find it in the document.
 */
export function withHeadOperations<T>(document: T): T {
  const paths = (document as { paths?: Record<string, Record<string, Record<string, unknown>>> }).paths ?? {};
  for (const item of Object.values(paths)) {
    const get = item.get;
    if (!get || item.head) continue;
    const responses = Object.fromEntries(
      Object.entries((get.responses ?? {}) as Record<string, Record<string, unknown>>).map(
        ([status, response]) => {
          const { content: _content, ...rest } = response;
          return [status, rest];
        },
      ),
    );
    const operationId = String(get.operationId ?? '');
    item.head = {
      ...get,
      operationId: `head${operationId.charAt(0).toUpperCase()}${operationId.slice(1)}`,
      summary: `Headers only: ${String(get.summary ?? '')}`,
      responses,
    };
  }
  return document;
}

const SERVER_DEFAULT_MARK = 'x-server-default';

/** Removes `default` from the schemas made by withDefault() (in place), and the mark that names them. */
export function withoutServerDefaults<T>(node: T): T {
  if (Array.isArray(node)) {
    for (const item of node) withoutServerDefaults(item);
  } else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record[SERVER_DEFAULT_MARK] === true) {
      delete record[SERVER_DEFAULT_MARK];
      delete record.default;
    }
    for (const value of Object.values(record)) withoutServerDefaults(value);
  }
  return node;
}

/**
 * The path parameter of every /{id} operation: a UUID. A malformed id is answered like an unknown one,
 * 404 in the envelope (docs/api/errors.md), by the validation hook.
 */
export const IdParamSchema = z.object({
  id: z.uuid().openapi({
    param: { name: 'id', in: 'path', description: 'The resource’s UUID' },
    example: '0190b6e4-8d1e-7c4b-9a55-3f1f5e2b6c01',
  }),
});

/** Text that Postgres can store and logs can show: no control characters (NUL would make Postgres fail). */
export const plainText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => ![...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), {
      message: 'must not contain control characters',
    });
