// Authentication: turns `Authorization: Bearer <JWT or API token>` into c.var.principal, and refuses
// anonymous requests under /api except on the public paths (health, login, and the docs when public).
// Other ways to authenticate (the admin session) plug in as extra resolvers.
import type { Context, MiddlewareHandler } from 'hono';
import { clientIp } from '../../http/client-ip.ts';
import { AppError } from '../../http/errors.ts';
import type { Principal } from '../../http/principal.ts';
import type { AppBindings } from '../../http/types.ts';
import { findLiveApiToken, findRevokedApiToken, looksLikeApiToken } from '../tokens/tokens.service.ts';
import { findUserByUsername } from '../users/users.service.ts';
import { verifyAccessToken } from './jwt.ts';
import { principalCacheFor } from './principal-cache.ts';

/** Returns a principal, undefined (not mine: try the next), or throws an AppError (mine, but invalid). */
export type PrincipalResolver = (c: Context<AppBindings>) => Promise<Principal | undefined>;

export interface AuthenticationOptions {
  /** Answers true for paths anyone may call. */
  isPublic: (path: string) => boolean;
  resolvers?: PrincipalResolver[];
}

const invalidToken = () =>
  new AppError(401, 'invalid_token', 'The bearer token is invalid, expired or revoked', null, {
    'WWW-Authenticate': 'Bearer error="invalid_token"',
  });

export const bearerResolver: PrincipalResolver = async (c) => {
  const header = c.req.header('Authorization');
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw invalidToken();
  const token = match[1]!;
  const deps = c.get('deps');
  const { db, config } = deps;

  if (looksLikeApiToken(token)) {
    const row = await findLiveApiToken(db.app.drizzle, token);
    if (!row) {
      // The same answer as for an unknown token; recorded apart, since a revoked token in use means a leaked one.
      const revoked = await findRevokedApiToken(db.app.drizzle, token);
      if (revoked) {
        deps.security.record({
          event: 'revoked_token',
          tokenId: revoked.id,
          tokenName: revoked.name,
          ip: clientIp(c),
        });
      }
      throw invalidToken();
    }
    return { subject: `token:${row.name}`, role: row.role, via: 'api_token' };
  }
  const cache = principalCacheFor(deps);
  const cached = cache.get(token);
  if (cached) return cached;
  // Requests with the same token that arrive while its entry is being (re)built share one signature check and
  // one user lookup, instead of each doing both (a burst when the entry expires under load).
  // Keyed with the cache's generation: a request arriving after a user change in this process never shares a
  // check that started before it.
  const generation = cache.generation;
  const key = `${generation}\n${token}`;
  const pending = checksInFlight(deps);
  let check = pending.get(key);
  if (!check) {
    check = (async () => {
      const claims = await verifyAccessToken(config.auth, token);
      if (!claims) throw invalidToken();
      // The user's current row decides: a disabled user, a changed role or a reset password take effect at
      // once here and within the cache's TTL on other replicas.
      const user = await findUserByUsername(db.app.drizzle, claims.sub);
      if (!user || user.disabled) throw invalidToken();
      if (user.passwordChangedAt.getTime() !== claims.pwd) throw invalidToken();
      // A token issued before a role change is spent: the holder logs in again and gets the new role in writing.
      if (user.role !== claims.role) throw invalidToken();
      const principal: Principal = { subject: user.username, role: user.role, via: 'jwt' };
      cache.set(token, { principal, username: user.username, tokenExpiresAt: claims.exp * 1000 }, generation);
      return principal;
    })().finally(() => pending.delete(key));
    pending.set(key, check);
  }
  return check;
};

const inFlightChecks = new WeakMap<object, Map<string, Promise<Principal>>>();

/** The JWT checks under way for one app (keyed by its dependencies, like its principal cache). */
function checksInFlight(owner: object): Map<string, Promise<Principal>> {
  let checks = inFlightChecks.get(owner);
  if (!checks) {
    checks = new Map();
    inFlightChecks.set(owner, checks);
  }
  return checks;
}

export function authentication(options: AuthenticationOptions): MiddlewareHandler<AppBindings> {
  const resolvers = [bearerResolver, ...(options.resolvers ?? [])];
  return async (c, next) => {
    const isPublic = c.req.method === 'OPTIONS' || options.isPublic(c.req.path);
    let principal: Principal | undefined;
    try {
      for (const resolve of resolvers) {
        principal = await resolve(c);
        if (principal) break;
      }
    } catch (error) {
      // A bad token on a public path (health, login) is ignored rather than refused.
      if (!isPublic) throw error;
      principal = undefined;
    }
    c.set('principal', principal);
    if (!principal && !isPublic) {
      throw new AppError(401, 'unauthorized', 'Authentication required', null, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    await next();
  };
}
