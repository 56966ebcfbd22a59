// An admin-UI client over app.request: keeps the cookies like a browser and logs in through the login form.
import { ADMIN, startTestApi, type TestApi } from './api-app.ts';

export interface AdminClient {
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** A form post; the CSRF token is added unless `csrf: false`. */
  post(
    path: string,
    fields: Record<string, string>,
    options?: { csrf?: boolean; headers?: Record<string, string> },
  ): Promise<Response>;
  csrfToken(): string;
  /** The Cookie header this client sends (its session), for requests made some other way (e.g. over HTTP). */
  cookies(): string;
}

export async function adminClient(
  api: TestApi,
  login?: { username: string; password: string },
): Promise<AdminClient> {
  const jar = new Map<string, string>();
  let token = '';
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index);
      const value = pair!.slice(index + 1);
      if (/Max-Age=0/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  };
  const readToken = async (response: Response) => {
    const html = await response.clone().text();
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (match) token = match[1]!;
  };
  const client: AdminClient = {
    async get(path, headers = {}) {
      const response = await api.app.request(path, { headers: { Cookie: cookieHeader(), ...headers } });
      keep(response);
      await readToken(response);
      return response;
    },
    async post(path, fields, options = {}) {
      const body = new URLSearchParams(options.csrf === false ? fields : { _csrf: token, ...fields });
      const response = await api.app.request(path, {
        method: 'POST',
        body,
        headers: {
          Cookie: cookieHeader(),
          'Content-Type': 'application/x-www-form-urlencoded',
          ...options.headers,
        },
      });
      keep(response);
      await readToken(response);
      return response;
    },
    csrfToken: () => token,
    cookies: cookieHeader,
  };
  await client.get('/admin/login');
  if (login) {
    const response = await client.post('/admin/login', { ...login, next: '/admin/jobs' });
    if (response.status !== 303) throw new Error(`admin login ${login.username}: ${response.status}`);
    await client.get('/admin/jobs');
  }
  return client;
}

/** A test API (startTestApi with `env`) and an admin-UI client signed in as the bootstrap admin. */
export async function startAdminUi(
  env: Record<string, string> = {},
): Promise<{ api: TestApi; admin: AdminClient }> {
  const api = await startTestApi(env);
  try {
    return { api, admin: await adminClient(api, ADMIN) };
  } catch (error) {
    await api.close();
    throw error;
  }
}

/** The job form's fields as a browser posts them, with the defaults of a new job. */
export function jobFields(overrides: Record<string, string>): Record<string, string> {
  return {
    description: '',
    func: 'app.jobs.heartbeat:hello_job',
    kwargs: '{}',
    cron: '*/5 * * * *',
    timezone: 'UTC',
    enabled: 'true',
    timeout_seconds: '300',
    max_retries: '0',
    retry_backoff_seconds: '30',
    overlap_policy: 'skip',
    misfire_policy: 'run_once',
    misfire_grace_seconds: '60',
    misfire_max_catchup: '10',
    ...overrides,
  };
}
