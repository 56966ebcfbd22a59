// Password login shared by the API token endpoint and the admin session: the login guard (per-IP rate limit,
// per-user lockout), a constant-cost check for unknown users, and the audit rows for success and failure.
import type { Context } from 'hono';
import { actorOf, recordAudit } from '../../audit/record-audit.ts';
import type { UserRow } from '../../db/schema/index.ts';
import { clientIp } from '../../http/client-ip.ts';
import { AppError } from '../../http/errors.ts';
import type { AppBindings } from '../../http/types.ts';
import { findUserByUsername, markLogin } from '../users/users.service.ts';
import { createLoginGuard } from './login-guard.ts';
import { dummyPasswordHash, verifyPassword } from './passwords.ts';

/** The user whose password matches; throws 429 (guard) or 401 invalid_credentials. */
export async function loginWithPassword(
  c: Context<AppBindings>,
  username: string,
  password: string,
  /** Written to the audit rows, e.g. 'api' or 'admin'. */
  channel: 'api' | 'admin',
): Promise<UserRow> {
  const { db, kv, config } = c.var.deps;
  const guard = createLoginGuard(kv, config.auth);
  await guard.beforeAttempt(clientIp(c), username);

  const user = await findUserByUsername(db.app.drizzle, username);
  // Unknown users cost a hash verification too, so timing does not reveal which names exist.
  const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !valid || user.disabled) {
    const { locked } = await guard.afterFailure(username);
    const ip = clientIp(c);
    c.var.deps.security.record({ event: 'login_failed', username, ip });
    if (locked) c.var.deps.security.record({ event: 'lockout', username, ip });
    await recordAudit(db.app.drizzle, actorOf(c, username), {
      action: 'auth.login_failed',
      targetType: 'user',
      targetId: user?.id ?? null,
      after: { username, reason: !user || !valid ? 'bad_credentials' : 'disabled', locked, channel },
    });
    throw new AppError(401, 'invalid_credentials', 'Incorrect username or password', null, {
      'WWW-Authenticate': 'Bearer',
    });
  }
  await guard.afterSuccess(username);
  await db.app.drizzle.transaction(async (tx) => {
    await markLogin(tx, user.id);
    await recordAudit(tx, actorOf(c, user.username), {
      action: 'auth.login',
      targetType: 'user',
      targetId: user.id,
      after: { channel },
    });
  });
  return user;
}
