// The OpenAPI 3.1 document (generated from the routes' zod schemas) and Swagger UI, both under /api.
// Whether they need authentication is API_DOCS_PUBLIC (public locally, private in production by default);
// the Swagger UI static assets hold nothing private and are always public.
import { createHash } from 'node:crypto';
import { swaggerUI } from '@hono/swagger-ui';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from '../../config/index.ts';
import {
  API_TAGS,
  BEARER_SCHEME,
  HEADER_COMPONENTS,
  OAUTH2_SCHEME,
  withHeadOperations,
  withoutServerDefaults,
} from '../../http/openapi.ts';
import type { AppBindings } from '../../http/types.ts';
import { APP_VERSION } from '../../version.ts';
import { loadSwaggerAssets } from './swagger-assets.ts';

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';
export const DOCS_ASSETS_PREFIX = '/api/docs/assets/';
const DOCS_ASSETS_BASE = '/api/docs/assets';

/** Paths under /api that serve the docs themselves and are therefore not operations in the spec. */
export const DOCS_PATHS = [
  OPENAPI_PATH,
  DOCS_PATH,
  `${DOCS_PATH}/init.js`,
  `${DOCS_ASSETS_PREFIX}:dist/:file`,
];

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

/** swagger-ui's files sit under swagger-ui-dist@<version>/, the path @hono/swagger-ui asks for. */
export function swaggerAssetPath(version: string, file: string): string {
  return `${DOCS_ASSETS_BASE}/swagger-ui-dist@${version}/${file}`;
}

const servedDocuments = new WeakMap<object, () => object>();

/** The document an app serves at /api/openapi.json (for tests that check responses against it). */
export function servedOpenApiDocument(app: object): object {
  const build = servedDocuments.get(app);
  if (!build) throw new Error('this app serves no OpenAPI document (registerApiDocs was not called)');
  return build();
}

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

  for (const [name, header] of Object.entries(HEADER_COMPONENTS)) {
    app.openAPIRegistry.registerComponent('headers', name, header);
  }

  let document: { body: string; etag: string } | undefined;
  const buildDocument = () => {
    const spec = withHeadOperations(
      withoutServerDefaults(
        app.getOpenAPI31Document({
          openapi: '3.1.0',
          info: {
            title: `${config.projectName} API`,
            version: APP_VERSION,
            description:
              'Every operation needs a bearer token except the health check and the token endpoint. ' +
              'Errors use one envelope: {error_code, message, detail, trace_id}. ' +
              'Every status and header an operation can answer with is listed on it; docs/api/client-guide.md ' +
              'shows how to generate a typed client.',
            // OpenAPI 3.1 names a license by its SPDX identifier (the generator's type still knows only `url`).
            license: { name: 'MIT', identifier: 'MIT' } as { name: string },
          },
          // Paths in this document carry the API prefix, so the server is the origin that serves it.
          servers: [{ url: '/', description: 'The origin serving this document' }],
          tags: Object.entries(API_TAGS).map(([name, description]) => ({ name, description })),
          security: [{ [BEARER_SCHEME]: [] }, { [OAUTH2_SCHEME]: [] }],
        }),
      ),
    );
    const body = JSON.stringify(spec);
    return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
  };
  servedDocuments.set(app, () => {
    document ??= buildDocument();
    return JSON.parse(document.body) as object;
  });
  const docsCacheControl = config.apiDocsPublic ? 'public, max-age=300' : 'private, no-cache';

  app.get(OPENAPI_PATH, (c) => {
    // Built on first request, when every router has been mounted.
    document ??= buildDocument();
    c.header('ETag', document.etag);
    c.header('Cache-Control', docsCacheControl);
    return c.body(document.body, 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });

  const assets = loadSwaggerAssets();
  const assetUrl = (name: string) => swaggerAssetPath(assets.version, name);

  // @hono/swagger-ui renders the page with the origin's own copy of swagger-ui-dist (baseUrl): no CDN. Its
  // default page has an inline script, which the CSP forbids, so the page is laid out here with the same
  // asset URLs and the initializer as a file.
  const docsPage = swaggerUI({
    url: OPENAPI_PATH,
    baseUrl: DOCS_ASSETS_BASE,
    version: assets.version,
    title: `${escapeHtml(config.projectName)} API`,
    manuallySwaggerUIHtml: (asset) =>
      [
        '<div id="swagger-ui"></div>',
        ...asset.css.map((href) => `<link rel="stylesheet" href="${href}">`),
        `<link rel="icon" type="image/png" href="${assetUrl('favicon-32x32.png')}">`,
        ...asset.js.map((src) => `<script src="${src}"></script>`),
        `<script src="${DOCS_PATH}/init.js"></script>`,
      ].join('\n'),
  });
  app.get(
    DOCS_PATH,
    async (c, next) => {
      await next();
      c.header('Content-Security-Policy', DOCS_CSP);
      c.header('Cache-Control', docsCacheControl);
    },
    docsPage,
  );

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

  app.get(`${DOCS_ASSETS_PREFIX}:dist/:file`, (c) => {
    const asset =
      c.req.param('dist') === `swagger-ui-dist@${assets.version}` && assets.get(c.req.param('file'));
    if (!asset) return c.notFound();
    // The version is in the path, so the files never change under a URL.
    c.header('Cache-Control', 'public, max-age=86400');
    c.header('ETag', `"swagger-ui-${assets.version}-${c.req.param('file')}"`);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': asset.contentType });
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
