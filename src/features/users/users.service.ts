// Users: create, list, change role, disable, reset password, and the bootstrap admin from the config.
// Rows leave this module only as UserView (no password hash). The changes people make through the API and the
// admin UI (addUser, changeUser, resetUserPassword) commit with their audit row in one transaction.
import { asc, eq, type SQL, sql } from 'drizzle-orm';
import { type Actor, recordAudit } from '../../audit/record-audit.ts';
import type { Config } from '../../config/index.ts';
import type { Drizzle } from '../../db/index.ts';
import { type UserRow, users } from '../../db/schema/index.ts';
import { AppError } from '../../http/errors.ts';
import type { Role } from '../../http/principal.ts';
import { isUniqueViolation } from '../../http/resource-errors.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';

export interface UserView {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  password_changed_at: string;
  last_login_at: string | null;
}

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    disabled: row.disabled,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    password_changed_at: row.passwordChangedAt.toISOString(),
    last_login_at: row.lastLoginAt?.toISOString() ?? null,
  };
}

const byUsername = (username: string) => sql`lower(${users.username}) = lower(${username})`;

export async function findUserByUsername(db: Drizzle, username: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(byUsername(username)).limit(1);
  return row;
}

export async function findUserById(db: Drizzle, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}

export async function listUsers(db: Drizzle): Promise<UserRow[]> {
  return db.select().from(users).orderBy(asc(users.username));
}

export async function createUser(
  db: Drizzle,
  input: { username: string; password: string; role: Role; createdBy: string },
): Promise<UserRow> {
  if (await findUserByUsername(db, input.username)) {
    throw new AppError(409, 'conflict', `A user named ${input.username} already exists`);
  }
  const passwordHash = await hashPassword(input.password);
  try {
    const [row] = await db
      .insert(users)
      .values({ username: input.username, role: input.role, passwordHash, createdBy: input.createdBy })
      .returning();
    return row!;
  } catch (error) {
    // A concurrent create with the same name lost the race on the unique index.
    if (isUniqueViolation(error)) {
      throw new AppError(409, 'conflict', `A user named ${input.username} already exists`);
    }
    throw error;
  }
}

export async function updateUser(
  db: Drizzle,
  id: string,
  changes: { role?: Role; disabled?: boolean; password?: string },
): Promise<UserRow | undefined> {
  const values: Partial<Omit<typeof users.$inferInsert, 'sessionGeneration'>> & { sessionGeneration?: SQL } =
    {
      updatedAt: new Date(),
    };
  if (changes.role !== undefined) values.role = changes.role;
  if (changes.disabled !== undefined) values.disabled = changes.disabled;
  if (changes.password !== undefined) {
    values.passwordHash = await hashPassword(changes.password);
    values.passwordChangedAt = new Date();
  }
  // A new role, a new password or a disable ends the user's admin sessions everywhere (src/admin/session.ts).
  if (changes.role !== undefined || changes.password !== undefined || changes.disabled !== undefined) {
    values.sessionGeneration = sql`${users.sessionGeneration} + 1`;
  }
  const [row] = await db.update(users).set(values).where(eq(users.id, id)).returning();
  return row;
}

const noSuchUser = () => new AppError(404, 'not_found', 'No such user');

/** The user, or the API's 404. */
export async function getUser(db: Drizzle, id: string): Promise<UserRow> {
  const row = await findUserById(db, id);
  if (!row) throw noSuchUser();
  return row;
}

/** Creates a user on someone's behalf (created_by is the actor) and audits it (`user.create`). */
export async function addUser(
  db: Drizzle,
  actor: Actor,
  input: { username: string; password: string; role: Role },
): Promise<UserView> {
  return db.transaction(async (tx) => {
    const created = toUserView(await createUser(tx, { ...input, createdBy: actor.subject }));
    await recordAudit(tx, actor, {
      action: 'user.create',
      targetType: 'user',
      targetId: created.id,
      after: created,
    });
    return created;
  });
}

/**
 * Changes a user's role or disables/enables them, audited (`user.update`, `user.disable`). An admin cannot lock
 * themselves out by accident; another admin has to do it.
 */
export async function changeUser(
  db: Drizzle,
  actor: Actor,
  id: string,
  changes: { role?: Role | undefined; disabled?: boolean | undefined },
): Promise<UserView> {
  const before = await getUser(db, id);
  if (before.username.toLowerCase() === actor.subject.toLowerCase()) {
    if (changes.disabled === true || (changes.role && changes.role !== 'admin')) {
      throw new AppError(409, 'conflict', 'You cannot disable or demote yourself');
    }
  }
  return db.transaction(async (tx) => {
    const after = await updateUser(tx, id, {
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}),
    });
    if (!after) throw noSuchUser();
    const updated = toUserView(after);
    await recordAudit(tx, actor, {
      action: changes.disabled === true ? 'user.disable' : 'user.update',
      targetType: 'user',
      targetId: id,
      before: toUserView(before),
      after: updated,
    });
    return updated;
  });
}

/** Sets a new password, audited (`user.reset_password`): the row says the password changed, never what it is. */
export async function resetUserPassword(
  db: Drizzle,
  actor: Actor,
  id: string,
  password: string,
): Promise<UserView> {
  const before = await getUser(db, id);
  return db.transaction(async (tx) => {
    const after = await updateUser(tx, id, { password });
    if (!after) throw noSuchUser();
    const updated = toUserView(after);
    await recordAudit(tx, actor, {
      action: 'user.reset_password',
      targetType: 'user',
      targetId: id,
      before: { password_changed_at: before.passwordChangedAt.toISOString() },
      after: { password_changed_at: updated.password_changed_at },
    });
    return updated;
  });
}

export async function markLogin(db: Drizzle, id: string): Promise<void> {
  await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, id));
}

/**
 * The admin from ADMIN_USERNAME/ADMIN_PASSWORD exists, is an enabled admin, and has that password.
 * Runs at start on every replica; it only writes when something differs.
 */
export async function ensureBootstrapAdmin(
  db: Drizzle,
  auth: Config['auth'],
): Promise<'created' | 'updated' | 'unchanged'> {
  const existing = await findUserByUsername(db, auth.adminUsername);
  if (!existing) {
    try {
      await createUser(db, {
        username: auth.adminUsername,
        password: auth.adminPassword,
        role: 'admin',
        createdBy: 'bootstrap',
      });
      return 'created';
    } catch (error) {
      // Another replica created it first.
      if (error instanceof AppError && error.status === 409) return 'unchanged';
      throw error;
    }
  }
  const passwordMatches = await verifyPassword(auth.adminPassword, existing.passwordHash);
  if (passwordMatches && existing.role === 'admin' && !existing.disabled) return 'unchanged';
  await updateUser(db, existing.id, {
    role: 'admin',
    disabled: false,
    ...(passwordMatches ? {} : { password: auth.adminPassword }),
  });
  return 'updated';
}
