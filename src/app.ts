// createApp(deps): the origin's Hono app. Shared middleware, /healthz, /metrics, the /api mounts and the /admin UI.
// Middleware order: request id → deps → metrics → 401/403 security events → logger → security headers and CSP → CORS → load shedding → 405 →
// /healthz, /metrics → rate limit (/api) → authentication (/api) → body limit, cache headers and ETags
// (/api) → routes.
import { OpenAPIHono } from '@hono/zod-openapi';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { loadAdminAssets } from './admin/assets.ts';
import { createAdminRouter } from './admin/index.tsx';
import { isPublicDocsPath, registerApiDocs } from './api/docs/index.ts';
import { createApiRouter } from './api/index.ts';
import type { AppDependencies } from './deps.ts';
import { authentication } from './features/auth/authenticate.ts';
import { metricsHandler } from './features/health/api/metrics.ts';
import { deniedResponses } from './features/security/denied-responses.ts';
import { apiRateLimit } from './http/api-rate-limit.ts';
import { apiBodyLimit } from './http/body-limit.ts';
import { apiCacheHeaders, apiETags } from './http/caching.ts';
import { defaultContentSecurityPolicy } from './http/content-security-policy.ts';
import { corsFromAllowlist } from './http/cors.ts';
import { envelopeForError, errorResponse } from './http/errors.ts';
import { loadShedding } from './http/load-shedding.ts';
import { MemoRouter } from './http/memo-router.ts';
import { requestMetrics } from './http/metrics.ts';
import { requestLogger } from './http/request-logger.ts';
import type { AppBindings } from './http/types.ts';
import { validationHook } from './http/validation.ts';
import { maskSecretsInText } from './observability/redact.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createApp(deps: AppDependencies) {
  const { config, logger } = deps;
  const { metrics } = deps;
  // Every route of the app (sub-routers included) lands in this one router: see memo-router.ts.
  const app = new OpenAPIHono<AppBindings>({
    strict: true,
    defaultHook: validationHook,
    router: new MemoRouter(),
  });

  app.use(requestId({ headerName: 'X-Request-Id', limitLength: 128 }));
  app.use(async (c, next) => {
    c.set('deps', deps);
    await next();
    // A write answered here: this replica's pages go at once (the others hear the NOTIFY of the commit).
    if (deps.pages && !SAFE_METHODS.has(c.req.method) && c.res.status < 400) deps.pages.changed();
  });
  app.use(requestMetrics(metrics));
  app.use(deniedResponses());
  app.use(requestLogger(logger));
  app.use(
    secureHeaders({
      strictTransportSecurity: config.http.httpsOnly ? 'max-age=31536000; includeSubDomains' : false,
    }),
  );
  // Strict by default; a page with its own policy (API docs, admin UI) sets the header and keeps it.
  app.use(defaultContentSecurityPolicy());
  // Before the 405 check and authentication, so preflights are answered for allowed origins.
  app.use('/api/*', corsFromAllowlist(config.http.corsOrigins));
  // Past a bound of work in flight or event-loop lag: 503 + Retry-After now rather than an answer too late.
  const healthPath = `${config.apiPrefix}/health`;
  app.use(
    loadShedding({ exempt: (path) => path === healthPath || path === '/healthz' || path === '/metrics' }),
  );
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, allowed) =>
        errorResponse(
          c,
          405,
          'method_not_allowed',
          `${c.req.method} is not allowed on ${c.req.path}`,
          { allowed_methods: allowed },
          { Allow: allowed.join(', ') },
        ),
    }),
  );

  // Liveness: answers while the process runs, whatever its dependencies do.
  app.get('/healthz', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.text('ok');
  });
  // With METRICS_PORT, /metrics is served only by the internal listener (src/features/health/api/metrics.ts).
  if (config.metrics.port === undefined) app.get('/metrics', metricsHandler(deps, metrics));

  app.use('/api/*', apiRateLimit(config, { exempt: (path) => path === healthPath }));
  const publicApiPaths = new Set([healthPath, `${config.apiPrefix}/auth/token`]);
  app.use(
    '/api/*',
    authentication({ isPublic: (path) => publicApiPaths.has(path) || isPublicDocsPath(path, config) }),
  );
  const uploadPath = `${config.apiPrefix}/files`;
  app.use('/api/*', apiBodyLimit({ exempt: (c) => c.req.method === 'POST' && c.req.path === uploadPath }));
  app.use('/api/*', apiCacheHeaders());
  app.use('/api/*', apiETags());

  app.route(config.apiPrefix, createApiRouter());
  registerApiDocs(app, config);
  // The admin UI: outside the /api authentication; its own session middleware and CSRF check protect it.
  const adminAssets = loadAdminAssets();
  app.route('/admin', createAdminRouter(adminAssets));
  // A person who opens the bare origin lands in the admin UI (which sends them to its login).
  app.get('/', (c) => c.redirect('/admin', 302));
  // Browsers ask for /favicon.ico on every page without an icon link (API docs, JSON): the app icon.
  app.get('/favicon.ico', (c) => {
    const icon = adminAssets.get('icon-180.png')!;
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(icon.body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': icon.contentType });
  });

  app.notFound((c) => errorResponse(c, 404, 'not_found', `No route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    const { response, unexpected } = envelopeForError(c, error, {
      exposeInternals: !config.isProduction,
      mask: maskSecretsInText,
    });
    if (unexpected)
      (c.var.logger ?? logger).error({ err: error, trace_id: c.var.requestId }, 'unhandled error');
    return response;
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
