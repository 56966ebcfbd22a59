// Access tokens: JWTs signed with JWT_SECRET_KEY via hono/jwt.
import { sign, verify } from 'hono/jwt';
import type { Config } from '../../config/index.ts';
import type { Role } from '../../http/principal.ts';

export interface AccessClaims {
  sub: string;
  role: Role;
  iat: number;
  exp: number;
  typ: 'access';
  /** The user's password_changed_at (ms) when issued: a password reset makes older tokens invalid. */
  pwd: number;
}

export async function issueAccessToken(
  auth: Config['auth'],
  user: { username: string; role: Role; passwordChangedAt: Date },
  now: number = Date.now(),
): Promise<{ token: string; expiresIn: number }> {
  const iat = Math.floor(now / 1000);
  const expiresIn = auth.accessTokenMinutes * 60;
  const claims: AccessClaims = {
    sub: user.username,
    role: user.role,
    iat,
    exp: iat + expiresIn,
    typ: 'access',
    pwd: user.passwordChangedAt.getTime(),
  };
  return { token: await sign({ ...claims }, auth.jwtSecret, auth.jwtAlgorithm), expiresIn };
}

/** The claims of a valid, unexpired access token, or undefined. */
export async function verifyAccessToken(
  auth: Config['auth'],
  token: string,
): Promise<AccessClaims | undefined> {
  try {
    const payload = (await verify(token, auth.jwtSecret, auth.jwtAlgorithm)) as Partial<AccessClaims>;
    if (payload.typ !== 'access' || typeof payload.sub !== 'string' || typeof payload.pwd !== 'number') {
      return undefined;
    }
    return payload as AccessClaims;
  } catch {
    return undefined;
  }
}
