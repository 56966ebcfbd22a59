// Cache headers for /api responses that the edge and browsers can honour:
// - a handler's own Cache-Control wins (the OpenAPI document and Swagger assets are public);
// - successful GET/HEAD answers are `private, no-cache`: authenticated data never sits in a shared
//   cache, and clients revalidate with If-None-Match against the ETag (304 when unchanged);
// - everything else (mutations, errors) is `no-store`.
import type { MiddlewareHandler } from 'hono';
import { etag } from 'hono/etag';

export function apiCacheHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    if (headers.has('Cache-Control')) return;
    const isRead = c.req.method === 'GET' || c.req.method === 'HEAD';
    const cacheable = isRead && ((c.res.status >= 200 && c.res.status < 300) || c.res.status === 304);
    headers.set('Cache-Control', cacheable ? 'private, no-cache' : 'no-store');
    if (cacheable) headers.append('Vary', 'Authorization');
  };
}

/**
 * Strong ETags on GET/HEAD (a handler's own ETag is kept; otherwise a digest of the body) and 304s.
 * Answers marked `no-store` (health) are never revalidated, so they skip the digest: computing it clones the
 * body, which also takes the response off @hono/node-server's direct-write path.
 */
export function apiETags(): MiddlewareHandler {
  const tag = etag();
  const handled = async () => {};
  return async (c, next) => {
    await next();
    if (c.res.headers.get('Cache-Control')?.includes('no-store')) return;
    // etag() reads If-None-Match from the request and works on c.res: the handler already ran.
    await tag(c, handled);
  };
}
