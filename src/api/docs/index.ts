// The OpenAPI 3.1 document (generated from the routes' zod schemas) and Swagger UI, both under /api.
// Whether they need authentication is API_DOCS_PUBLIC (public locally, private in production by default);
// the Swagger UI static assets hold nothing private and are always public.
import { createHash } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from '../../config/index.ts';
import { BEARER_SCHEME, OAUTH2_SCHEME } from '../../http/openapi.ts';
import type { AppBindings } from '../../http/types.ts';
import { APP_VERSION } from '../../version.ts';
import { loadSwaggerAssets } from './swagger-assets.ts';

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';
export const DOCS_ASSETS_PREFIX = '/api/docs/assets/';

/** Paths under /api that serve the docs themselves and are therefore not operations in the spec. */
export const DOCS_PATHS = [OPENAPI_PATH, DOCS_PATH, `${DOCS_PATH}/init.js`, `${DOCS_ASSETS_PREFIX}:file`];

/** The docs paths anyone may fetch, given the configuration. */
export function isPublicDocsPath(path: string, config: Config): boolean {
  if (path.startsWith(DOCS_ASSETS_PREFIX)) return true;
  if (!config.apiDocsPublic) return false;
  return path === OPENAPI_PATH || path === DOCS_PATH || path === `${DOCS_PATH}/init.js`;
}

// Swagger UI renders with React (style properties, not inline style attributes) and loads SVG icons as
// data: URIs; nothing else is needed beyond 'self'.
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function registerApiDocs(app: OpenAPIHono<AppBindings>, config: Config): void {
  app.openAPIRegistry.registerComponent('securitySchemes', BEARER_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT or API token',
    description: `A JWT from POST ${config.apiPrefix}/auth/token, or an API token (ast_...) made by an admin.`,
  });
  // The same login as an OAuth2 password flow, so Swagger UI's Authorize dialog can log in with a password.
  app.openAPIRegistry.registerComponent('securitySchemes', OAUTH2_SCHEME, {
    type: 'oauth2',
    description: 'Log in with a username and password; the token is then sent as a bearer token.',
    flows: { password: { tokenUrl: `${config.apiPrefix}/auth/token`, scopes: {} } },
  });

  let document: { body: string; etag: string } | undefined;
  const buildDocument = () => {
    const spec = app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: `${config.projectName} API`,
        version: APP_VERSION,
        description:
          'Every operation needs a bearer token except the health check and the token endpoint. ' +
          'Errors use one envelope: {error_code, message, detail, trace_id}.',
      },
      security: [{ [BEARER_SCHEME]: [] }, { [OAUTH2_SCHEME]: [] }],
    });
    const body = JSON.stringify(spec);
    return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
  };
  const docsCacheControl = config.apiDocsPublic ? 'public, max-age=300' : 'private, no-cache';

  app.get(OPENAPI_PATH, (c) => {
    // Built on first request, when every router has been mounted.
    document ??= buildDocument();
    c.header('ETag', document.etag);
    c.header('Cache-Control', docsCacheControl);
    return c.body(document.body, 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });

  const assets = loadSwaggerAssets();
  const assetUrl = (name: string) => `${DOCS_ASSETS_PREFIX}${name}?v=${assets.version}`;

  app.get(DOCS_PATH, (c) => {
    c.header('Content-Security-Policy', DOCS_CSP);
    c.header('Cache-Control', docsCacheControl);
    return c.html(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(config.projectName)} API</title>
<link rel="stylesheet" href="${assetUrl('swagger-ui.css')}">
<link rel="icon" type="image/png" href="${assetUrl('favicon-32x32.png')}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${assetUrl('swagger-ui-bundle.js')}"></script>
<script src="${DOCS_PATH}/init.js"></script>
</body>
</html>`);
  });

  // The initializer is a file, not an inline script, so the CSP needs no 'unsafe-inline'.
  app.get(`${DOCS_PATH}/init.js`, (c) => {
    c.header('Cache-Control', docsCacheControl);
    const options = {
      url: OPENAPI_PATH,
      dom_id: '#swagger-ui',
      deepLinking: true,
      validatorUrl: null,
      persistAuthorization: false,
      tryItOutEnabled: false,
    };
    return c.body(`window.ui = SwaggerUIBundle(${JSON.stringify(options)});\n`, 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
    });
  });

  app.get(`${DOCS_ASSETS_PREFIX}:file`, (c) => {
    const asset = assets.get(c.req.param('file'));
    if (!asset) return c.notFound();
    c.header('Cache-Control', 'public, max-age=86400');
    // The package version names the content, so the bundle need not be hashed on every request.
    c.header('ETag', `"swagger-ui-${assets.version}-${c.req.param('file')}"`);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': asset.contentType });
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
