// One log line per request: method, route template, status, duration and trace_id.
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { type Logger, unmaskedSibling } from '../observability/logger.ts';
import { maskSecretsInText } from '../observability/redact.ts';
import { clientIp } from './client-ip.ts';
import type { AppBindings } from './types.ts';

export function requestLogger(logger: Logger): MiddlewareHandler<AppBindings> {
  // Every field of the line is built here from checked values (the path is masked): no per-field walk.
  const lines = unmaskedSibling(logger);
  return async (c, next) => {
    const started = performance.now();
    const traceId = c.get('requestId');
    // The two readers of c.var.logger (the error handlers) write trace_id themselves: a child logger per request
    // would only cost an allocation and repeat the field in their lines.
    c.set('logger', logger);
    await next();
    const status = c.res.status;
    // The envelope carries the id; make sure the header does too on responses built by hand.
    if (!c.res.headers.has('X-Request-Id')) {
      try {
        c.res.headers.set('X-Request-Id', traceId);
      } catch {
        // Immutable headers (a proxied response): leave them.
      }
    }
    const line = {
      method: c.req.method,
      route: routePath(c, -1),
      path: maskSecretsInText(c.req.path),
      status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
      trace_id: traceId,
      client_ip: clientIp(c),
    };
    if (status >= 500) lines.error(line, 'request');
    else lines.info(line, 'request');
  };
}
