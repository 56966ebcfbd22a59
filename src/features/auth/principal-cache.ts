// Verified JWT principals, kept a few seconds: a client sending the same token many times a second costs one
// signature check and one user lookup per few seconds instead of one per request. A change to a user made in
// this process forgets their entries at once (the users handlers call forgetUser); other replicas see a
// disabled user, a new role or a reset password within PRINCIPAL_CACHE_TTL_MS.
import type { Principal } from '../../http/principal.ts';

export const PRINCIPAL_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  username: string;
  expiresAt: number;
}

export interface PrincipalCache {
  get(token: string): Principal | undefined;
  /** Changes whenever a user is forgotten; pass the value read before the lookup to set(). */
  readonly generation: number;
  /** Keeps the principal until the TTL or the token's own expiry, unless a user changed since `generation`. */
  set(
    token: string,
    entry: { principal: Principal; username: string; tokenExpiresAt: number },
    generation: number,
  ): void;
  forgetUser(username: string): void;
}

export function createPrincipalCache(ttlMs = PRINCIPAL_CACHE_TTL_MS, now = Date.now): PrincipalCache {
  const entries = new Map<string, Entry>();
  let generation = 0;
  return {
    get(token) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(token);
        return undefined;
      }
      return entry.principal;
    },
    get generation() {
      return generation;
    },
    set(token, { principal, username, tokenExpiresAt }, seen) {
      // A user changed while this lookup ran: what it read may already be stale.
      if (seen !== generation) return;
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
      entries.set(token, {
        principal,
        username: username.toLowerCase(),
        expiresAt: Math.min(now() + ttlMs, tokenExpiresAt),
      });
    },
    forgetUser(username) {
      generation++;
      const name = username.toLowerCase();
      for (const [token, entry] of entries) if (entry.username === name) entries.delete(token);
    },
  };
}

const caches = new WeakMap<object, PrincipalCache>();

/** The cache of one app (keyed by its dependencies, so apps built in tests never share entries). */
export function principalCacheFor(owner: object): PrincipalCache {
  let cache = caches.get(owner);
  if (!cache) {
    cache = createPrincipalCache();
    caches.set(owner, cache);
  }
  return cache;
}
