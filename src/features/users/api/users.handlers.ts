import { actorOf } from '../../../audit/record-audit.ts';
import type { AppRouteHandler } from '../../../http/openapi.ts';
import { principalCacheFor } from '../../auth/principal-cache.ts';
import { unlockLogin } from '../unlock.ts';
import * as users from '../users.service.ts';
import type {
  createUser,
  getUser,
  listUsers,
  resetPassword,
  unlockUser,
  updateUser,
} from './users.routes.ts';

export const listUsersHandler: AppRouteHandler<typeof listUsers> = async (c) => {
  const rows = await users.listUsers(c.var.deps.db.app.drizzle);
  return c.json({ items: rows.map(users.toUserView) }, 200);
};

export const getUserHandler: AppRouteHandler<typeof getUser> = async (c) => {
  const row = await users.getUser(c.var.deps.db.app.drizzle, c.req.valid('param').id);
  return c.json(users.toUserView(row), 200);
};

export const createUserHandler: AppRouteHandler<typeof createUser> = async (c) => {
  const view = await users.addUser(c.var.deps.db.app.drizzle, actorOf(c), c.req.valid('json'));
  return c.json(view, 201, { Location: `${c.req.path}/${view.id}` });
};

export const updateUserHandler: AppRouteHandler<typeof updateUser> = async (c) => {
  const view = await users.changeUser(
    c.var.deps.db.app.drizzle,
    actorOf(c),
    c.req.valid('param').id,
    c.req.valid('json'),
  );
  // Tokens of this user must be checked against the new row from the next request on.
  principalCacheFor(c.var.deps).forgetUser(view.username);
  return c.json(view, 200);
};

export const resetPasswordHandler: AppRouteHandler<typeof resetPassword> = async (c) => {
  const view = await users.resetUserPassword(
    c.var.deps.db.app.drizzle,
    actorOf(c),
    c.req.valid('param').id,
    c.req.valid('json').password,
  );
  // Tokens of this user must be checked against the new row from the next request on.
  principalCacheFor(c.var.deps).forgetUser(view.username);
  return c.json(view, 200);
};

export const unlockUserHandler: AppRouteHandler<typeof unlockUser> = async (c) => {
  const row = await users.getUser(c.var.deps.db.app.drizzle, c.req.valid('param').id);
  return c.json(await unlockLogin(c, row), 200);
};
