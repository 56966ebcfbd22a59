// A bearer token from a running origin's token endpoint (form login, the OAuth2 password flow).

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
