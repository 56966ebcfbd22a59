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
  const allowOrigin = (origin: string) => (allowed.has(origin) ? origin : wildcard ? '*' : null);
  const preflight = cors({
    origin: allowOrigin,
    credentials: !wildcard,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: CORS_ALLOWED_HEADERS,
    exposeHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
  });
  const exposed = CORS_EXPOSED_HEADERS.join(',');
  // Every other request: hono's cors() touches c.res before the handler and calls c.header() after it, and
  // each turns @hono/node-server's lightweight response into a real one (a copy of the body as a stream).
  // Here the headers are only added to the answer's own headers, after the handler, and only for an allowed
  // origin (a refused one gets none, as before); Vary: Origin on every answer so caches keep them apart.
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    const origin = allowOrigin(c.req.header('origin') ?? '');
    await next();
    try {
      const headers = c.res.headers;
      if (origin) {
        headers.set('Access-Control-Allow-Origin', origin);
        if (!wildcard) headers.set('Access-Control-Allow-Credentials', 'true');
        headers.set('Access-Control-Expose-Headers', exposed);
      }
      headers.append('Vary', 'Origin');
    } catch {
      // Immutable headers (a proxied response): leave them.
    }
  };
}
