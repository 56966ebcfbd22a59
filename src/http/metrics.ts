// The request counter middleware for Prometheus (by route template). The /metrics endpoint itself reads the
// scheduler, pools and health probes, so it lives above infrastructure: src/features/health/api/metrics.ts.
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Metrics } from '../observability/metrics.ts';
import type { AppBindings } from './types.ts';

/**
 * Counts every request by route template (never the raw path: ids would explode the series). Requests no
 * route matched are counted as `unmatched`.
 */
export function requestMetrics(metrics: Metrics): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const template = routePath(c, -1);
    const route = !template || template.includes('*') ? 'unmatched' : template;
    metrics.observeRequest(c.req.method, route, c.res.status, (performance.now() - started) / 1000);
  };
}
