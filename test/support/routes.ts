// Detects whether the origin serves a route, so suites written ahead of a feature assert the full flow as
// soon as it lands. Unknown paths under /api may answer 401 before 404 (auth runs first), so the probe
// retries with a token when one can be issued.

interface Envelope {
  error_code?: string;
}

const isNotFound = async (response: Response) =>
  response.status === 404 &&
  ((await response.json().catch(() => ({}))) as Envelope).error_code === 'not_found';

/** POST /api/v1/auth/token takes JSON or a form (issue 4). Undefined when the route is missing or refuses. */
export async function tryIssueToken(
  baseUrl: string,
  credentials = { username: 'admin', password: 'admin123' },
): Promise<string | undefined> {
  let response = await fetch(`${baseUrl}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  if ([400, 415, 422].includes(response.status)) {
    response = await fetch(`${baseUrl}/api/v1/auth/token`, {
      method: 'POST',
      body: new URLSearchParams(credentials),
    });
  }
  if (response.status !== 200) return undefined;
  return ((await response.json()) as { access_token?: string }).access_token;
}

export async function routeExists(
  baseUrl: string,
  method: string,
  path: string,
  credentials?: { username: string; password: string },
): Promise<boolean> {
  const anonymous = await fetch(`${baseUrl}${path}`, { method });
  if (await isNotFound(anonymous)) return false;
  if (anonymous.status !== 401) return true;
  const token = await tryIssueToken(baseUrl, credentials);
  if (!token) return false;
  const authenticated = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}` },
  });
  return !(await isNotFound(authenticated));
}
