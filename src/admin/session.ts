// The admin session and CSRF token, both in signed cookies (hono/cookie, HMAC-SHA256).
// - admin_session: who is logged in and until when, plus the password-change stamp, so a password reset or a
//   disabled user ends the session at once (the user row is read on every request).
// - admin_csrf: a random synchronizer token, set on the first visit (the login form needs one too) and
//   rotated at login and logout. Every POST must echo it in the `_csrf` field or the X-CSRF-Token header.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import { type UserRow, users } from '../db/schema/index.ts';
import { findUserByUsername } from '../features/users/users.service.ts';
import type { Principal } from '../http/principal.ts';
import type { AppBindings } from '../http/types.ts';

export const SESSION_COOKIE = 'admin_session';
export const CSRF_COOKIE = 'admin_csrf';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
/** An admin session lasts a working day; logging in again starts a new one. */
export const SESSION_HOURS = 8;

interface SessionPayload {
  /** username */
  u: string;
  /** the user's passwordChangedAt (ms) when the session began */
  p: number;
  /** the user's session generation when the session began: logout and role changes bump it */
  g: number;
  /** expiry (ms) */
  e: number;
}

type AdminContext = Context<AppBindings>;

/** This request's CSRF token once known (a request's context lives only as long as the request). */
const tokensByRequest = new WeakMap<AdminContext, string>();

/** A key of its own for the admin cookies, derived from JWT_SECRET_KEY (never the JWT key itself). */
function cookieSecret(c: AdminContext): string {
  return createHmac('sha256', c.var.deps.config.auth.jwtSecret)
    .update('admin-cookies:v1')
    .digest('base64url');
}

function cookieOptions(c: AdminContext, maxAgeSeconds?: number): CookieOptions {
  return {
    path: '/admin',
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.var.deps.config.http.secureCookies,
    ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}),
  };
}

export async function startSession(c: AdminContext, user: UserRow, now = Date.now()): Promise<void> {
  const payload: SessionPayload = {
    u: user.username,
    p: user.passwordChangedAt.getTime(),
    g: user.sessionGeneration,
    e: now + SESSION_HOURS * 3600_000,
  };
  const value = Buffer.from(JSON.stringify(payload)).toString('base64url');
  await setSignedCookie(c, SESSION_COOKIE, value, cookieSecret(c), cookieOptions(c, SESSION_HOURS * 3600));
  await rotateCsrfToken(c);
}

/**
 * Logout: ends the session on the server, not just in this browser. Bumping the user's session generation
 * makes every copy of the cookie (and the user's other admin sessions) invalid at once.
 */
export async function endSession(c: AdminContext): Promise<void> {
  const payload = await readSessionPayload(c);
  if (payload) {
    await c.var.deps.db.app.drizzle
      .update(users)
      .set({ sessionGeneration: sql`${users.sessionGeneration} + 1` })
      .where(
        and(
          eq(sql`lower(${users.username})`, payload.u.toLowerCase()),
          eq(users.sessionGeneration, payload.g),
        ),
      );
  }
  deleteCookie(c, SESSION_COOKIE, { path: '/admin', secure: c.var.deps.config.http.secureCookies });
  await rotateCsrfToken(c);
}

/** The principal of a valid session, or undefined (no cookie, bad signature, expired, user changed). */
export async function sessionPrincipal(c: AdminContext, now = Date.now()): Promise<Principal | undefined> {
  const payload = await readSessionPayload(c);
  if (!payload || payload.e <= now) return undefined;
  const user = await findUserByUsername(c.var.deps.db.app.drizzle, payload.u);
  if (!user || user.disabled || user.passwordChangedAt.getTime() !== payload.p) return undefined;
  if (user.sessionGeneration !== payload.g) return undefined;
  return { subject: user.username, role: user.role, via: 'session' };
}

/** The signed cookie's payload when it is well formed (signature checked; expiry and user not yet). */
async function readSessionPayload(c: AdminContext): Promise<SessionPayload | undefined> {
  const raw = await getSignedCookie(c, cookieSecret(c), SESSION_COOKIE);
  if (!raw) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as SessionPayload;
    if (typeof payload.u !== 'string' || typeof payload.e !== 'number' || typeof payload.g !== 'number') {
      return undefined;
    }
    return payload;
  } catch {
    return undefined;
  }
}

async function rotateCsrfToken(c: AdminContext): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await setSignedCookie(c, CSRF_COOKIE, token, cookieSecret(c), cookieOptions(c));
  tokensByRequest.set(c, token);
  return token;
}

/** This request's CSRF token: the one just set, the cookie's, or a new one. */
export async function csrfToken(c: AdminContext): Promise<string> {
  const current = tokensByRequest.get(c);
  if (current) return current;
  const fromCookie = await getSignedCookie(c, cookieSecret(c), CSRF_COOKIE);
  if (fromCookie) {
    tokensByRequest.set(c, fromCookie);
    return fromCookie;
  }
  return rotateCsrfToken(c);
}

/** Whether a POST carries the cookie's token (form field or header), compared in constant time. */
export async function hasValidCsrfToken(c: AdminContext): Promise<boolean> {
  const expected = await getSignedCookie(c, cookieSecret(c), CSRF_COOKIE);
  if (!expected) return false;
  let sent = c.req.header(CSRF_HEADER);
  if (!sent) {
    const type = (c.req.header('content-type') ?? '').toLowerCase();
    if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
      const body = await c.req.parseBody();
      const field = body[CSRF_FIELD];
      sent = typeof field === 'string' ? field : undefined;
    }
  }
  if (!sent) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
