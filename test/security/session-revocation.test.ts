// A session ends on the server (src/admin/session.ts, users.session_generation): a copied admin session
// cookie replayed after logout, after a password change and after a role change is refused; a JWT issued
// before a role or password change stops working too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApi, type TestApi } from '../support/api-app.ts';

let api: TestApi;
let adminToken: string;

beforeAll(async () => {
  api = await startTestApi();
  adminToken = await api.userToken('admin');
});
afterAll(() => api?.close());

const cookiesOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!)
    .filter((pair) => !pair.endsWith('='));

/** Logs in through the admin form like a browser; returns the Cookie header a thief would copy, and the CSRF token. */
async function adminLogin(username: string, password: string) {
  const page = await api.app.request('/admin/login');
  const csrfCookie = cookiesOf(page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const login = await api.app.request('/admin/login', {
    method: 'POST',
    headers: { Cookie: csrfCookie.join('; '), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username, password, next: '/admin/jobs' }),
  });
  expect(login.status).toBe(303);
  const jar = new Map<string, string>();
  for (const pair of [...csrfCookie, ...cookiesOf(login)]) {
    const i = pair.indexOf('=');
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
  const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const jobs = await api.app.request('/admin/jobs', { headers: { Cookie: cookie } });
  const token = /name="_csrf" value="([^"]+)"/.exec(await jobs.text())?.[1] ?? jar.get('admin_csrf') ?? '';
  return { cookie, csrf: token };
}

const replay = (cookie: string) => api.app.request('/admin/jobs', { headers: { Cookie: cookie } });
const isLoggedIn = (response: Response) => response.status === 200;

async function createUser(role: 'viewer' | 'operator' | 'admin') {
  const username = `revoke-${role}-${Math.random().toString(36).slice(2, 8)}`;
  const password = `${role}-password-123456`;
  const created = await api.app.request(`${api.config.apiPrefix}/users`, {
    method: 'POST',
    headers: { ...bearer(adminToken), 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password, role }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  return { id, username, password };
}

describe('admin session revocation', () => {
  it('logout ends every copy of the session', async () => {
    const user = await createUser('operator');
    const browser = await adminLogin(user.username, user.password);
    const stolen = browser.cookie; // what an attacker copied while the session was live
    expect(isLoggedIn(await replay(stolen))).toBe(true);
    const logout = await api.app.request('/admin/logout', {
      method: 'POST',
      headers: { Cookie: browser.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: browser.csrf }),
    });
    expect(logout.status).toBe(303);
    const replayed = await replay(stolen);
    expect(isLoggedIn(replayed)).toBe(false);
    expect(replayed.headers.get('location') ?? '').toContain('/admin/login');
    // A new login works and is a new session.
    const again = await adminLogin(user.username, user.password);
    expect(isLoggedIn(await replay(again.cookie))).toBe(true);
    expect(isLoggedIn(await replay(stolen))).toBe(false);
  });

  it('a password change ends the session and old JWTs', async () => {
    const user = await createUser('operator');
    const { cookie } = await adminLogin(user.username, user.password);
    const jwt = await api.login(user.username, user.password);
    expect(isLoggedIn(await replay(cookie))).toBe(true);
    const changed = await api.app.request(`${api.config.apiPrefix}/users/${user.id}/password`, {
      method: 'POST',
      headers: { ...bearer(adminToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ password: 'a-brand-new-password-42' }),
    });
    expect(changed.status).toBeLessThan(300);
    expect(isLoggedIn(await replay(cookie))).toBe(false);
    const me = await api.app.request(`${api.config.apiPrefix}/auth/me`, { headers: bearer(jwt) });
    expect(me.status).toBe(401);
  });

  it('a role change ends the session and JWTs issued under the old role', async () => {
    const user = await createUser('admin');
    const { cookie } = await adminLogin(user.username, user.password);
    const jwt = await api.login(user.username, user.password);
    expect(isLoggedIn(await replay(cookie))).toBe(true);
    const demoted = await api.app.request(`${api.config.apiPrefix}/users/${user.id}`, {
      method: 'PATCH',
      headers: { ...bearer(adminToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ role: 'viewer' }),
    });
    expect(demoted.status).toBe(200);
    expect(isLoggedIn(await replay(cookie))).toBe(false);
    const me = await api.app.request(`${api.config.apiPrefix}/auth/me`, { headers: bearer(jwt) });
    expect(me.status).toBe(401);
    // Logging in again gives the new role.
    const fresh = await api.login(user.username, user.password);
    const meAgain = await api.app.request(`${api.config.apiPrefix}/auth/me`, { headers: bearer(fresh) });
    expect(await meAgain.json()).toMatchObject({ role: 'viewer' });
  });
});
