// Log in (the same users, password check, rate limit, lockout and audit rows as the API) and log out.
import type { Hono } from 'hono';
import { LoginPage } from '../../../../views/pages/login-page.tsx';
import { NOTICES, safeAdminPath, withNotice } from '../../../admin/navigation.ts';
import type { AdminKit } from '../../../admin/page.ts';
import { csrfToken, endSession, startSession } from '../../../admin/session.ts';
import { AppError } from '../../../http/errors.ts';
import type { AppBindings } from '../../../http/types.ts';
import { loginWithPassword } from '../password-login.ts';

export function registerLoginRoutes(admin: Hono<AppBindings>, kit: AdminKit) {
  admin.get('/login', async (c) => {
    const next = safeAdminPath(c.req.query('next'));
    if (c.var.principal) return c.redirect(next, 303);
    const notice = c.req.query('done') === 'logged-out' ? NOTICES['logged-out'] : undefined;
    return c.html(
      <LoginPage
        csrfToken={await csrfToken(c)}
        next={next}
        notice={notice}
        assetVersion={kit.assetVersion}
      />,
    );
  });

  admin.post('/login', async (c) => {
    const body = await c.req.parseBody();
    const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
    const username = text('username').trim().slice(0, 120);
    const password = text('password').slice(0, 1024);
    const next = safeAdminPath(text('next'));
    try {
      if (!username || !password)
        throw new AppError(401, 'invalid_credentials', 'Enter a username and a password');
      const user = await loginWithPassword(c, username, password, 'admin');
      await startSession(c, user);
      return c.redirect(next, 303);
    } catch (error) {
      if (!(error instanceof AppError) || (error.status !== 401 && error.status !== 429)) throw error;
      for (const [name, value] of Object.entries(error.headers ?? {})) {
        if (name.toLowerCase() === 'retry-after') c.header(name, value);
      }
      return c.html(
        <LoginPage
          csrfToken={await csrfToken(c)}
          next={next}
          username={username}
          error={error.message}
          assetVersion={kit.assetVersion}
        />,
        error.status as 401,
      );
    }
  });

  admin.post('/logout', async (c) => {
    await endSession(c);
    return c.redirect(withNotice('/admin/login', 'logged-out'), 303);
  });
}
