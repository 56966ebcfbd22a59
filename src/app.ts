// createApp(deps): the origin's Hono app. Shared middleware, /healthz, and the /api mounts.
import { OpenAPIHono } from '@hono/zod-openapi';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { createHealthRouter } from './api/health/index.ts';
import { mountSchedulerApi } from './api/jobs/index.ts';
import type { AppDependencies } from './deps.ts';
import { envelopeForError, errorResponse } from './http/errors.ts';
import { requestLogger } from './http/request-logger.ts';
import type { AppBindings } from './http/types.ts';
import { validationHook } from './http/validation.ts';
import { maskSecretsInText } from './observability/redact.ts';

export function createApp(deps: AppDependencies) {
  const { config, logger } = deps;
  const app = new OpenAPIHono<AppBindings>({ strict: true, defaultHook: validationHook });

  app.use(requestId({ headerName: 'X-Request-Id', limitLength: 128 }));
  app.use(async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.use(requestLogger(logger));
  app.use(
    secureHeaders({
      strictTransportSecurity: config.http.httpsOnly ? 'max-age=31536000; includeSubDomains' : false,
    }),
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

  app.route(config.apiPrefix, createHealthRouter());
  mountSchedulerApi(app, config.apiPrefix);

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
