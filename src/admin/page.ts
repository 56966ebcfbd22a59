// What every admin page handler shares: the page chrome (user, permissions, CSRF token, notice) and the kit
// of dependencies the router was built with.
import type { Context } from 'hono';
import type { PageChrome } from '../../views/types.ts';
import type { Actor } from '../audit/record-audit.ts';
import { AppError } from '../http/errors.ts';
import { type Role, roleAtLeast } from '../http/principal.ts';
import type { AppBindings } from '../http/types.ts';
import { NOTICES } from './navigation.ts';
import { csrfToken } from './session.ts';

export type AdminContext = Context<AppBindings>;

export interface AdminKit {
  assetVersion: string;
  timezones: string[];
  actor: (c: AdminContext) => Actor;
}

export async function chromeFor(c: AdminContext): Promise<PageChrome> {
  const principal = c.var.principal!;
  const done = c.req.query('done');
  return {
    user: { subject: principal.subject, role: principal.role },
    can: {
      operate: roleAtLeast(principal.role, 'operator'),
      administer: roleAtLeast(principal.role, 'admin'),
    },
    csrfToken: await csrfToken(c),
    notice: done ? NOTICES[done] : undefined,
  };
}

/** Throws the 403 the error page shows when the signed-in user's role is too small. */
export function requireAdminRole(c: AdminContext, least: Role): void {
  const principal = c.var.principal;
  if (!principal || !roleAtLeast(principal.role, least)) {
    throw new AppError(
      403,
      'forbidden',
      `This needs the ${least} role; you are signed in as ${principal?.role ?? 'nobody'}.`,
    );
  }
}

/** A positive page number from the query, 1 for anything else. */
export function pageParam(value: string | undefined): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}

export const isHtmx = (c: AdminContext) => c.req.header('HX-Request') === 'true';
