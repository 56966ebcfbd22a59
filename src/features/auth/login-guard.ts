// Login throttling: attempts per client IP per minute, and a lockout of one username after repeated
// failures. Usernames are hashed into the keys so arbitrary input never becomes a raw Redis key.
import { createHash } from 'node:crypto';
import type { Config } from '../../config/index.ts';
import { AppError } from '../../http/errors.ts';
import { hitRateLimit, rateLimitHeaders } from '../../http/rate-limit.ts';
import type { KeyValueStore } from '../../kv/index.ts';

const userKey = (username: string) =>
  createHash('sha256').update(username.toLowerCase()).digest('hex').slice(0, 32);

export interface LoginGuard {
  /** Throws a 429 AppError when this IP is over its budget or the username is locked. */
  beforeAttempt(ip: string, username: string): Promise<void>;
  afterFailure(username: string): Promise<{ locked: boolean }>;
  afterSuccess(username: string): Promise<void>;
  /** When the user's lockout ends, or null when they are not locked out. */
  lockedUntil(username: string): Promise<Date | null>;
  /** Ends a lockout (and forgets the failures counted so far): an admin's unlock. */
  unlock(username: string): Promise<void>;
}

/** "until 14:05 UTC (in 12 min)": when a lockout ends, for the person who is locked out. */
export function describeLockEnd(until: Date, now: number): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now) / 60_000));
  return `until ${until.toISOString().slice(11, 16)} UTC (in ${minutes} min)`;
}

export function createLoginGuard(kv: KeyValueStore, auth: Config['auth'], now = Date.now): LoginGuard {
  const lockKey = (username: string) => `login:lock:${userKey(username)}`;
  const failKey = (username: string) => `login:fail:${userKey(username)}`;
  return {
    async beforeAttempt(ip, username) {
      const perIp = await hitRateLimit(kv, `login:ip:${ip}`, auth.loginAttemptsPerMinute, 60, now());
      if (!perIp.allowed) {
        throw new AppError(
          429,
          'rate_limited',
          'Too many login attempts from this address; retry later',
          { retry_after_seconds: perIp.retryAfterSeconds },
          rateLimitHeaders(perIp, now()),
        );
      }
      const lockedUntil = Number(await kv.get(lockKey(username)).catch(() => null));
      if (lockedUntil > now()) {
        const retryAfter = Math.max(1, Math.ceil((lockedUntil - now()) / 1000));
        const until = new Date(lockedUntil);
        throw new AppError(
          429,
          'login_locked',
          `Too many failed logins for this user: locked ${describeLockEnd(until, now())}. An admin can unlock it sooner.`,
          { retry_after_seconds: retryAfter, locked_until: until.toISOString() },
          { 'Retry-After': String(retryAfter) },
        );
      }
    },
    async afterFailure(username) {
      try {
        const failures = await kv.incr(failKey(username), auth.lockoutSeconds);
        if (failures < auth.lockoutThreshold) return { locked: false };
        await kv.set(lockKey(username), String(now() + auth.lockoutSeconds * 1000), {
          ttlSeconds: auth.lockoutSeconds,
        });
        await kv.del(failKey(username));
        return { locked: true };
      } catch {
        return { locked: false };
      }
    },
    async afterSuccess(username) {
      await kv.del(failKey(username)).catch(() => {});
    },
    async lockedUntil(username) {
      const until = Number(await kv.get(lockKey(username)));
      return until > now() ? new Date(until) : null;
    },
    async unlock(username) {
      await kv.del(lockKey(username));
      await kv.del(failKey(username));
    },
  };
}
