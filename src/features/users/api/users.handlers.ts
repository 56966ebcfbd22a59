import { auditContext, recordAudit } from '../../../audit/record-audit.ts';
import { AppError } from '../../../http/errors.ts';
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

const notFound = () => new AppError(404, 'not_found', 'No such user');

export const listUsersHandler: AppRouteHandler<typeof listUsers> = async (c) => {
  const rows = await users.listUsers(c.var.deps.db.app.drizzle);
  return c.json({ items: rows.map(users.toUserView) }, 200);
};

export const getUserHandler: AppRouteHandler<typeof getUser> = async (c) => {
  const row = await users.findUserById(c.var.deps.db.app.drizzle, c.req.valid('param').id);
  if (!row) throw notFound();
  return c.json(users.toUserView(row), 200);
};

export const createUserHandler: AppRouteHandler<typeof createUser> = async (c) => {
  const input = c.req.valid('json');
  const { db } = c.var.deps;
  const audit = auditContext(c);
  const view = await db.app.drizzle.transaction(async (tx) => {
    const created = users.toUserView(await users.createUser(tx, { ...input, createdBy: audit.actor }));
    await recordAudit(tx, {
      ...audit,
      action: 'user.create',
      targetType: 'user',
      targetId: created.id,
      after: created,
    });
    return created;
  });
  return c.json(view, 201, { Location: `${c.req.path}/${view.id}` });
};

export const updateUserHandler: AppRouteHandler<typeof updateUser> = async (c) => {
  const { id } = c.req.valid('param');
  const changes = c.req.valid('json');
  const { db } = c.var.deps;
  const before = await users.findUserById(db.app.drizzle, id);
  if (!before) throw notFound();
  const audit = auditContext(c);
  // An admin cannot lock themselves out by accident; another admin has to do it.
  if (before.username.toLowerCase() === audit.actor.toLowerCase()) {
    if (changes.disabled === true || (changes.role && changes.role !== 'admin')) {
      throw new AppError(409, 'conflict', 'You cannot disable or demote yourself');
    }
  }
  const view = await db.app.drizzle.transaction(async (tx) => {
    const after = await users.updateUser(tx, id, changes);
    if (!after) throw notFound();
    const updated = users.toUserView(after);
    await recordAudit(tx, {
      ...audit,
      action: changes.disabled === true ? 'user.disable' : 'user.update',
      targetType: 'user',
      targetId: id,
      before: users.toUserView(before),
      after: updated,
    });
    return updated;
  });
  // Tokens of this user must be checked against the new row from the next request on.
  principalCacheFor(c.var.deps).forgetUser(before.username);
  return c.json(view, 200);
};

export const resetPasswordHandler: AppRouteHandler<typeof resetPassword> = async (c) => {
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const before = await users.findUserById(db.app.drizzle, id);
  if (!before) throw notFound();
  const audit = auditContext(c);
  const view = await db.app.drizzle.transaction(async (tx) => {
    const after = await users.updateUser(tx, id, { password: c.req.valid('json').password });
    if (!after) throw notFound();
    const updated = users.toUserView(after);
    // The audit row says the password changed, never what it is.
    await recordAudit(tx, {
      ...audit,
      action: 'user.reset_password',
      targetType: 'user',
      targetId: id,
      before: { password_changed_at: before.passwordChangedAt.toISOString() },
      after: { password_changed_at: updated.password_changed_at },
    });
    return updated;
  });
  // Tokens of this user must be checked against the new row from the next request on.
  principalCacheFor(c.var.deps).forgetUser(before.username);
  return c.json(view, 200);
};

export const unlockUserHandler: AppRouteHandler<typeof unlockUser> = async (c) => {
  const { id } = c.req.valid('param');
  const row = await users.findUserById(c.var.deps.db.app.drizzle, id);
  if (!row) throw notFound();
  const result = await unlockLogin(c, row);
  return c.json(result, 200);
};
