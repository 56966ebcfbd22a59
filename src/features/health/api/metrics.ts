// /metrics for Prometheus, served either on the main port (behind METRICS_TOKEN when set) or by a small
// internal app on METRICS_PORT (docs/operations/security.md). The request counter is http/metrics.ts.
import { timingSafeEqual } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import { Hono, type MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import type { AppDependencies } from '../../../deps.ts';
import { errorResponse } from '../../../http/errors.ts';
import type { AppBindings } from '../../../http/types.ts';
import { withTimeout } from '../../../lib/with-timeout.ts';
import type { Metrics } from '../../../observability/metrics.ts';
import { APP_VERSION } from '../../../version.ts';
import { checkHealthCoalesced } from '../health.checks.ts';

/** Enabled jobs whose next tick is this far in the past count as overdue. */
const OVERDUE_AFTER_SECONDS = 60;
const OVERDUE_QUERY_TIMEOUT_MS = 1_000;

function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** GET /metrics: the Prometheus text exposition, refreshed from the live sources on every scrape. */
export function metricsHandler(deps: AppDependencies, metrics: Metrics): MiddlewareHandler<AppBindings> {
  const token = deps.config.metrics.token;
  return async (c) => {
    if (token && !tokenMatches(c.req.header('authorization'), token)) {
      return errorResponse(c, 401, 'unauthorized', 'A valid metrics token is required', null, {
        'WWW-Authenticate': 'Bearer realm="metrics"',
      });
    }
    const body = await metrics.render({
      scheduler: deps.scheduler,
      pools: { app: deps.db.app, legacy: deps.db.legacy },
      overdueJobs: () => countOverdueJobs(deps),
      dependencies: () => probeDependencies(deps),
      filesVolume: () => measureVolume(deps.config.files.baseDir),
    });
    return c.body(body, 200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
  };
}

async function countOverdueJobs(deps: AppDependencies): Promise<number | undefined> {
  try {
    const [row] = await withTimeout(
      deps.db.app.query<{ n: number }>(
        `select count(*)::int as n from scheduled_jobs
         where enabled and archived_at is null and next_run_at < now() - make_interval(secs => $1)`,
        [OVERDUE_AFTER_SECONDS],
      ),
      OVERDUE_QUERY_TIMEOUT_MS,
    );
    return row?.n ?? 0;
  } catch {
    return undefined;
  }
}

/** The health check's probes (shared with concurrent /api/v1/health requests), as up or down per dependency. */
async function probeDependencies(deps: AppDependencies): Promise<Record<string, boolean>> {
  const { components } = await checkHealthCoalesced(deps, APP_VERSION);
  return Object.fromEntries(Object.entries(components).map(([name, c]) => [name, c.status === 'healthy']));
}

/** statfs of the files folder: what `df` shows for the volume mounted there (bavail: space a non-root user gets). */
async function measureVolume(dir: string) {
  try {
    const stats = await statfs(dir);
    return { sizeBytes: stats.blocks * stats.bsize, availableBytes: stats.bavail * stats.bsize };
  } catch {
    return undefined;
  }
}

/** The internal listener's app (METRICS_PORT): /metrics and nothing else. */
export function createMetricsApp(deps: AppDependencies, metrics: Metrics) {
  const app = new Hono<AppBindings>();
  app.use(requestId({ headerName: 'X-Request-Id', limitLength: 128 }));
  app.get('/metrics', metricsHandler(deps, metrics));
  app.notFound((c) => errorResponse(c, 404, 'not_found', `No route for ${c.req.method} ${c.req.path}`));
  return app;
}
