// The admin UI under /admin: server-rendered pages (views/) over the jobs service, the registry's function
// list, the cron helper and the audit table. Its own session middleware protects it (it is outside the /api
// authentication); every POST needs the CSRF token; viewers get 403 for anything that changes state.
import { type Context, Hono } from 'hono';
import { ErrorPage } from '../../views/pages/error-page.tsx';
import { actorOf } from '../audit/record-audit.ts';
import { registerAlertsPages } from '../features/alerts/admin/alerts.routes.tsx';
import { registerAuditPage } from '../features/audit/admin/audit.routes.tsx';
import { registerLoginRoutes } from '../features/auth/admin/login.routes.tsx';
import { registerDashboardPage } from '../features/dashboard/admin/dashboard.routes.tsx';
import { registerJobRoutes } from '../features/jobs/admin/jobs.routes.tsx';
import { registerUsersPage } from '../features/users/admin/users.routes.tsx';
import { AppError } from '../http/errors.ts';
import type { AppBindings } from '../http/types.ts';
import { type AdminAssets, loadAdminAssets } from './assets.ts';
import { safeAdminPath } from './navigation.ts';
import { type AdminKit, chromeFor } from './page.ts';
import { hasValidCsrfToken, sessionPrincipal } from './session.ts';

/** Everything the admin pages load comes from the origin; no inline script or style anywhere. */
export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const ERROR_TITLES: Record<number, string> = {
  400: 'Bad request',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  422: 'Not valid',
  429: 'Too many attempts',
};

const isFormPost = (c: Context<AppBindings>) => {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  return type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data');
};

/**
 * Reads a posted form once, before the CSRF check and the handlers (Hono keeps the parsed body for both): a
 * body that claims to be a form and is not one (no boundary, cut short, not UTF-8) is the client's 400, not a
 * 500 from whichever reader meets it first.
 */
async function readPostedForm(c: Context<AppBindings>): Promise<void> {
  if (!isFormPost(c)) return;
  try {
    await c.req.formData();
  } catch {
    throw new AppError(400, 'bad_request', 'The form could not be read. Reload the page and try again.');
  }
}

export function createAdminRouter(assets: AdminAssets = loadAdminAssets()) {
  const kit: AdminKit = {
    assetVersion: assets.version,
    timezones: ['UTC', ...Intl.supportedValuesOf('timeZone').filter((tz) => tz !== 'UTC')],
    actor: actorOf,
  };
  const admin = new Hono<AppBindings>();

  admin.use(async (c, next) => {
    await next();
    c.res.headers.set('Content-Security-Policy', ADMIN_CSP);
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  });

  admin.get('/assets/:file', (c) => {
    const asset = assets.get(c.req.param('file'));
    if (!asset) throw new AppError(404, 'not_found', 'No such file');
    // The URL carries the content version (?v=), so the file may be cached for long.
    c.header('Cache-Control', 'public, max-age=604800, immutable');
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': asset.contentType });
  });

  admin.use(async (c, next) => {
    if (c.req.path.startsWith('/admin/assets/')) return next();
    c.set('principal', await sessionPrincipal(c));
    if (c.req.method === 'POST') await readPostedForm(c);
    if (c.req.method === 'POST' && !(await hasValidCsrfToken(c))) {
      throw new AppError(
        403,
        'csrf_failed',
        'This form was missing its security token, or it has expired. Reload the page and try again.',
      );
    }
    if (!c.var.principal && c.req.path !== '/admin/login') {
      const url = new URL(c.req.url);
      const back =
        c.req.method === 'GET' && !c.req.header('HX-Request') ? `${url.pathname}${url.search}` : '';
      const login = `/admin/login${back && safeAdminPath(back, '') ? `?next=${encodeURIComponent(back)}` : ''}`;
      if (c.req.header('HX-Request')) {
        c.header('HX-Redirect', login);
        return c.body(null, 401);
      }
      return c.redirect(login, 303);
    }
    // The UI's pages post forms only (browsers and htmx always label them); anything else is refused here.
    if (c.req.method === 'POST' && !isFormPost(c)) {
      throw new AppError(415, 'unsupported_media_type', 'This page accepts forms only.');
    }
    await next();
  });

  admin.get('/', (c) => c.redirect('/admin/jobs', 303));
  registerLoginRoutes(admin, kit);
  registerJobRoutes(admin, kit);
  registerAuditPage(admin, kit);
  registerDashboardPage(admin, kit);
  registerUsersPage(admin, kit);
  registerAlertsPages(admin, kit);

  // Last: any other /admin path is this UI's 404 page (a mounted router's notFound is not consulted).
  admin.all('*', () => {
    throw new AppError(404, 'not_found', 'There is no such page.');
  });
  admin.onError(async (error, c) => {
    const known = error instanceof AppError;
    if (!known) c.var.logger?.error({ err: error, trace_id: c.var.requestId }, 'unhandled error (admin)');
    const status = known ? error.status : 500;
    const message = known ? error.message : 'Something went wrong on the server. The error was logged.';
    if (c.req.header('HX-Request')) {
      return c.text(message, status as 400);
    }
    const chrome = c.var.principal ? await chromeFor(c) : undefined;
    return c.html(
      <ErrorPage
        status={status}
        title={ERROR_TITLES[status] ?? 'Error'}
        message={message}
        chrome={chrome}
        assetVersion={assets.version}
      />,
      status as 400,
    );
  });
  return admin;
}
