import { AppError } from '../../../http/errors.ts';
import type { AppRouteHandler } from '../../../http/openapi.ts';
import { issueAccessToken } from '../jwt.ts';
import { loginWithPassword } from '../password-login.ts';
import type { issueToken, whoAmI } from './auth.routes.ts';

export const issueTokenHandler: AppRouteHandler<typeof issueToken> = async (c) => {
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
  const { config } = c.var.deps;
  const user = await loginWithPassword(c, credentials.username, credentials.password, 'api');
  const { token, expiresIn } = await issueAccessToken(config.auth, user);
  c.header('Cache-Control', 'no-store');
  c.header('Pragma', 'no-cache');
  return c.json({ access_token: token, token_type: 'bearer' as const, expires_in: expiresIn }, 200);
};

export const whoAmIHandler: AppRouteHandler<typeof whoAmI> = async (c) => {
  const principal = c.var.principal!;
  return c.json({ subject: principal.subject, role: principal.role, via: principal.via }, 200);
};
