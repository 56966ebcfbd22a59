// The users page (admins): roles, states and login lockouts, with Unlock.
import type { Hono } from 'hono';
import { UsersPage } from '../../../../views/pages/users-page.tsx';
import { withNotice } from '../../../admin/navigation.ts';
import { type AdminKit, chromeFor, requireAdminRole } from '../../../admin/page.ts';
import { AppError } from '../../../http/errors.ts';
import type { AppBindings } from '../../../http/types.ts';
import { createLoginGuard } from '../../auth/login-guard.ts';
import { unlockLogin } from '../unlock.ts';
import { findUserById, listUsers } from '../users.service.ts';

export function registerUsersPage(admin: Hono<AppBindings>, kit: AdminKit) {
  admin.get('/users', async (c) => {
    requireAdminRole(c, 'admin');
    const { db, kv, config } = c.var.deps;
    const guard = createLoginGuard(kv, config.auth);
    const rows = await listUsers(db.app.drizzle);
    const users = await Promise.all(
      rows.map(async (row) => ({
        id: row.id,
        username: row.username,
        role: row.role,
        disabled: row.disabled,
        last_login_at: row.lastLoginAt?.toISOString() ?? null,
        locked_until: (await guard.lockedUntil(row.username).catch(() => null))?.toISOString() ?? null,
      })),
    );
    return c.html(<UsersPage chrome={await chromeFor(c)} assetVersion={kit.assetVersion} users={users} />);
  });

  admin.post('/users/:id/unlock', async (c) => {
    requireAdminRole(c, 'admin');
    const id = c.req.param('id');
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await findUserById(c.var.deps.db.app.drizzle, id) : undefined;
    if (!row) throw new AppError(404, 'not_found', 'There is no such user.');
    await unlockLogin(c, row);
    return c.redirect(withNotice('/admin/users', 'unlocked'), 303);
  });
}
