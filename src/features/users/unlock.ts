// Unlocking a user whose logins are locked out (LOGIN_LOCKOUT_THRESHOLD failures): the lock lives in the kv
// store (the login guard's keys); the unlock is audited. Used by the API and the admin users page.
import type { Context } from 'hono';
import { actorOf, recordAudit } from '../../audit/record-audit.ts';
import type { UserRow } from '../../db/schema/index.ts';
import type { AppBindings } from '../../http/types.ts';
import { createLoginGuard } from '../auth/login-guard.ts';
import * as users from './users.service.ts';

/** Ends a user's login lockout and audits it (`user.unlock`); shared by the API and the admin users page. */
export async function unlockLogin(
  c: Context<AppBindings>,
  row: UserRow,
): Promise<{ user: users.UserView; was_locked: boolean; locked_until: string | null }> {
  const { db, kv, config } = c.var.deps;
  const guard = createLoginGuard(kv, config.auth);
  const until = await guard.lockedUntil(row.username);
  await guard.unlock(row.username);
  await recordAudit(db.app.drizzle, actorOf(c), {
    action: 'user.unlock',
    targetType: 'user',
    targetId: row.id,
    before: { locked_until: until?.toISOString() ?? null },
    after: { locked_until: null },
  });
  return {
    user: users.toUserView(row),
    was_locked: until !== null,
    locked_until: until?.toISOString() ?? null,
  };
}
