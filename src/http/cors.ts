// CORS from the CORS_ORIGINS allowlist: exact origins only (seed 003: no regex). A listed origin gets its
// own origin echoed with credentials allowed; any other origin gets no CORS headers, so browsers refuse.
// "*" (refused in production by the config) allows any origin without credentials.
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'If-Match',
  'If-None-Match',
  'Idempotency-Key',
  'Range',
  'X-Request-Id',
];
export const CORS_EXPOSED_HEADERS = [
  'ETag',
  'Location',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'X-Request-Id',
  'Content-Disposition',
  'Content-Range',
  'Accept-Ranges',
];

export function corsFromAllowlist(origins: readonly string[]): MiddlewareHandler {
  const wildcard = origins.includes('*');
  const allowed = new Set(
    origins.filter((origin) => origin !== '*').map((origin) => origin.replace(/\/$/, '')),
  );
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : wildcard ? '*' : null),
    credentials: !wildcard,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: CORS_ALLOWED_HEADERS,
    exposeHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
  });
}
