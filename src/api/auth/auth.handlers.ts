import type { RouteHandler } from '@hono/zod-openapi';
import { auditContext, recordAudit } from '../../audit/record-audit.ts';
import { issueAccessToken } from '../../auth/jwt.ts';
import { createLoginGuard } from '../../auth/login-guard.ts';
import { dummyPasswordHash, verifyPassword } from '../../auth/passwords.ts';
import { findUserByUsername, markLogin } from '../../auth/users.ts';
import { clientIp } from '../../http/client-ip.ts';
import { AppError } from '../../http/errors.ts';
import type { AppBindings } from '../../http/types.ts';
import type { issueToken, whoAmI } from './auth.routes.ts';

export const issueTokenHandler: RouteHandler<typeof issueToken, AppBindings> = async (c) => {
  const contentType = (c.req.header('content-type') ?? '').toLowerCase();
  const credentials = contentType.startsWith('application/json')
    ? c.req.valid('json')
    : contentType.startsWith('application/x-www-form-urlencoded') ||
        contentType.startsWith('multipart/form-data')
      ? c.req.valid('form')
      : undefined;
  if (!credentials?.username) {
    throw new AppError(
      415,
      'unsupported_media_type',
      'Send the credentials as a form (urlencoded or multipart) or as JSON',
    );
  }
  const { db, kv, config } = c.var.deps;
  const { username, password } = credentials;
  const guard = createLoginGuard(kv, config.auth);
  await guard.beforeAttempt(clientIp(c), username);

  const user = await findUserByUsername(db.app.drizzle, username);
  // Unknown users cost a hash verification too, so timing does not reveal which names exist.
  const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  const audit = auditContext(c, username);
  if (!user || !valid || user.disabled) {
    const { locked } = await guard.afterFailure(username);
    await recordAudit(db.app.drizzle, {
      ...audit,
      action: 'auth.login_failed',
      targetType: 'user',
      targetId: user?.id ?? null,
      after: { username, reason: !user || !valid ? 'bad_credentials' : 'disabled', locked },
    });
    throw new AppError(401, 'invalid_credentials', 'Incorrect username or password', null, {
      'WWW-Authenticate': 'Bearer',
    });
  }
  await guard.afterSuccess(username);
  await db.app.drizzle.transaction(async (tx) => {
    await markLogin(tx, user.id);
    await recordAudit(tx, {
      ...audit,
      actor: user.username,
      action: 'auth.login',
      targetType: 'user',
      targetId: user.id,
    });
  });
  const { token, expiresIn } = await issueAccessToken(config.auth, user);
  c.header('Cache-Control', 'no-store');
  c.header('Pragma', 'no-cache');
  return c.json({ access_token: token, token_type: 'bearer' as const, expires_in: expiresIn }, 200);
};

export const whoAmIHandler: RouteHandler<typeof whoAmI, AppBindings> = async (c) => {
  const principal = c.var.principal!;
  return c.json({ subject: principal.subject, role: principal.role, via: principal.via }, 200);
};
