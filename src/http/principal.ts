// Who is calling, and the role check every protected route uses.
// Authentication (JWT, API tokens, admin session) sets c.var.principal; routes declare the least role they need
// with requireRole(). A route without a principal answers 401, one with too small a role 403, both in the envelope.
import type { MiddlewareHandler } from 'hono';
import { AppError } from './errors.ts';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The user name or token name, as written to audit rows. */
  subject: string;
  role: Role;
  via: 'jwt' | 'api_token' | 'session';
}

export function roleAtLeast(role: Role, least: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(least);
}

export function requireRole(least: Role): MiddlewareHandler {
  return async (c, next) => {
    const principal = c.get('principal' as never) as Principal | undefined;
    if (!principal) {
      throw new AppError(401, 'unauthorized', 'Authentication required', null, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    if (!roleAtLeast(principal.role, least)) {
      throw new AppError(403, 'forbidden', `This action needs the ${least} role; you have ${principal.role}`);
    }
    await next();
  };
}
