// The page shell of every admin page: head (own stylesheet and htmx from the origin, no inline script or
// style, so a strict CSP holds), a navigation bar with the user and logout, and the notice of a redirect.
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { PageChrome } from '../types.ts';

export const ADMIN_ASSETS = {
  css: '/admin/assets/admin.css',
  htmx: '/admin/assets/htmx.min.js',
  icon: '/admin/assets/icon.svg',
  touchIcon: '/admin/assets/icon-180.png',
};

// htmx must not inject its indicator <style> (CSP) nor evaluate attribute code.
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
});

export function AdminLayout(props: {
  title: string;
  chrome?: PageChrome | undefined;
  /** The nav entry to mark as current. */
  section?: 'dashboard' | 'jobs' | 'alerts' | 'audit' | 'users' | undefined;
  assetVersion: string;
  children: Child;
}) {
  const { chrome } = props;
  // The doctype keeps browsers in standards mode (hono/jsx does not emit one); a constant, never user data.
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="htmx-config" content={HTMX_CONFIG} />
          <title>{`${props.title} · app-server admin`}</title>
          <link rel="icon" href={`${ADMIN_ASSETS.icon}?v=${props.assetVersion}`} type="image/svg+xml" />
          <link rel="apple-touch-icon" href={`${ADMIN_ASSETS.touchIcon}?v=${props.assetVersion}`} />
          <link rel="stylesheet" href={`${ADMIN_ASSETS.css}?v=${props.assetVersion}`} />
          <script src={`${ADMIN_ASSETS.htmx}?v=${props.assetVersion}`} defer />
        </head>
        <body hx-headers={chrome ? JSON.stringify({ 'X-CSRF-Token': chrome.csrfToken }) : undefined}>
          <a class="skip-link" href="#main">
            Skip to content
          </a>
          <header class="topbar">
            <a class="brand" href="/admin/jobs">
              app-server admin
            </a>
            {chrome ? (
              <nav aria-label="Main">
                <a href="/admin/dashboard" aria-current={props.section === 'dashboard' ? 'page' : undefined}>
                  Dashboard
                </a>
                <a href="/admin/jobs" aria-current={props.section === 'jobs' ? 'page' : undefined}>
                  Jobs
                </a>
                <a href="/admin/alerts" aria-current={props.section === 'alerts' ? 'page' : undefined}>
                  Alerts
                </a>
                <a href="/admin/audit" aria-current={props.section === 'audit' ? 'page' : undefined}>
                  Audit log
                </a>
                {chrome.can.administer ? (
                  <a href="/admin/users" aria-current={props.section === 'users' ? 'page' : undefined}>
                    Users
                  </a>
                ) : null}
              </nav>
            ) : null}
            {chrome ? (
              <form class="logout" method="post" action="/admin/logout">
                <input type="hidden" name="_csrf" value={chrome.csrfToken} />
                <span class="who">
                  {chrome.user.subject} <span class="role">({chrome.user.role})</span>
                </span>
                <button type="submit" class="button secondary">
                  Log out
                </button>
              </form>
            ) : null}
          </header>
          <main id="main">
            {chrome?.notice ? (
              <p class="notice" role="status">
                {chrome.notice}
              </p>
            ) : null}
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

/** The hidden CSRF field every admin form carries (htmx requests send the header from <body> too). */
export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}
