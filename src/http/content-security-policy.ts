// The default Content-Security-Policy. Pages that need another policy (the API docs, the admin UI) set their
// own Content-Security-Policy header in their handler or a middleware of their own: a response that already
// has one keeps it. Everything else gets the strict default: HTML may load only its own scripts, styles,
// images and fonts (no inline script, no framing, no plugins); other responses may load nothing at all.
import type { MiddlewareHandler } from 'hono';

export const STRICT_HTML_CSP_DIRECTIVES: Readonly<Record<string, string>> = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'font-src': "'self'",
  'connect-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'self'",
  'frame-ancestors': "'none'",
};

/** Renders directives as a header value, e.g. for a page that extends the strict default. */
export function cspHeaderValue(directives: Readonly<Record<string, string>>): string {
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

export const STRICT_HTML_CSP = cspHeaderValue(STRICT_HTML_CSP_DIRECTIVES);
export const NON_HTML_CSP = "default-src 'none'; frame-ancestors 'none'";

export function defaultContentSecurityPolicy(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.res.headers.has('Content-Security-Policy')) return;
    const html = (c.res.headers.get('Content-Type') ?? '').toLowerCase().startsWith('text/html');
    try {
      c.res.headers.set('Content-Security-Policy', html ? STRICT_HTML_CSP : NON_HTML_CSP);
    } catch {
      // Immutable headers (a response passed through unchanged): leave them.
    }
  };
}
