// The app's routes as tests walk them, and a bearer token from a running origin's token endpoint (form login,
// the OAuth2 password flow).

/**
 * Every route the app serves, once per method and path template (as Hono lists them in app.routes, e.g.
 * /api/v1/jobs/:id), without the middleware entries (ALL) and wildcard paths.
 */
export function distinctRoutes(app: {
  routes: readonly { method: string; path: string }[];
}): { method: string; path: string }[] {
  const seen = new Set<string>();
  return app.routes
    .filter((route) => route.method !== 'ALL')
    .map((route) => ({ method: route.method, path: route.path }))
    .filter((route) => {
      const key = `${route.method} ${route.path}`;
      if (seen.has(key) || route.path.includes('*')) return false;
      seen.add(key);
      return true;
    });
}

/** Undefined when the endpoint refuses the credentials. */
export async function tryIssueToken(
  baseUrl: string,
  credentials = { username: 'admin', password: 'admin123' },
): Promise<string | undefined> {
  const response = await fetch(`${baseUrl}/api/v1/auth/token`, {
    method: 'POST',
    body: new URLSearchParams(credentials),
  });
  if (response.status !== 200) return undefined;
  return ((await response.json()) as { access_token?: string }).access_token;
}
