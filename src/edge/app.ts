// createEdgeApp(): the worker's Hono app. Request id → config from bindings → rate limit → cache → origin.
// Portable pieces come from src/http (the error envelope); nothing here reaches origin-only code.
import { Hono, type MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { envelopeForError, errorResponse } from '../http/envelope.ts';
import { answerThroughCache, CACHE_STATUS_HEADER, type CachedAnswer, defaultCacheStore } from './cache.ts';
import { EdgeConfigError, edgeConfigFor } from './config.ts';
import { edgeLog } from './log.ts';
import { forwardToOrigin } from './proxy.ts';
import { edgeRateLimit } from './rate-limit.ts';
import type { EdgeEnv } from './types.ts';
import { waitUntilOf } from './wait-until.ts';

export function createEdgeApp() {
  const app = new Hono<EdgeEnv>();

  // Same id rules as the origin: echo a sane incoming X-Request-Id, else make one; the origin gets it too.
  app.use(requestId({ headerName: 'X-Request-Id', limitLength: 128 }));
  app.use(secureHeadersOnEdgeAnswers());
  app.use(async (c, next) => {
    c.set('servedFromOrigin', false);
    c.set('clientIp', c.req.header('cf-connecting-ip') || undefined);
    c.set('config', edgeConfigFor(c.env));
    await next();
  });
  app.use(edgeRateLimit());

  app.all('*', async (c) => {
    const config = c.var.config;
    const forward = {
      originUrl: config.originUrl,
      timeoutMs: config.originTimeoutMs,
      requestId: c.var.requestId,
      clientIp: c.var.clientIp,
    };
    let answer: CachedAnswer;
    if (c.req.path === '/admin' || c.req.path.startsWith('/admin/')) {
      // The admin UI is per user and stateful: straight through, never looked up or stored.
      answer = { response: await forwardToOrigin(c.req.raw, forward), status: 'BYPASS' };
    } else {
      answer = await answerThroughCache({
        request: c.req.raw,
        path: c.req.path,
        cache: defaultCacheStore(),
        forward,
        revalidateKeepSeconds: config.revalidateKeepSeconds,
        waitUntil: waitUntilOf(() => c.executionCtx),
      });
    }
    c.set('servedFromOrigin', true);
    answer.response.headers.set(CACHE_STATUS_HEADER, answer.status);
    answer.response.headers.set('X-Request-Id', c.var.requestId);
    return answer.response;
  });

  app.onError((error, c) => {
    if (error instanceof EdgeConfigError) {
      edgeLog('error', 'edge worker misconfigured', { trace_id: c.var.requestId, reason: error.message });
      return errorResponse(c, 500, 'edge_misconfigured', 'The edge worker is misconfigured');
    }
    const { response, unexpected } = envelopeForError(c, error, { exposeInternals: false, mask: (t) => t });
    if (unexpected) {
      edgeLog('error', 'unhandled error', {
        trace_id: c.var.requestId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return response;
  });
  return app;
}

/**
 * Security headers on the answers the edge makes itself (errors, 429s). Responses from the origin or
 * the cache keep the origin's own security headers untouched.
 */
function secureHeadersOnEdgeAnswers(): MiddlewareHandler<EdgeEnv> {
  const apply = secureHeaders({ strictTransportSecurity: false });
  return async (c, next) => {
    await next();
    if (!c.var.servedFromOrigin) await apply(c, async () => {});
  };
}
