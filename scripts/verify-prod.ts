// npm run verify:prod -- --url URL --username NAME --password-file FILE [--redis-url URL] [--db-url URL]
// Checks a deployed stack end to end (seed 003 section 2-2): liveness, readiness, a Redis round trip,
// a Postgres read-after-write, token issue and a job create-then-read through the API. Prints one line per
// check (ok / FAIL with the reason / skip) with secrets masked, and exits 1 when any check fails.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { normalisePostgresUrl } from '../src/config/urls.ts';
import { MASK, maskSecretsInText } from '../src/observability/redact.ts';

const USAGE = `usage: npm run verify:prod -- --url https://app.example.com --username admin --password-file FILE
  [--password VALUE] [--redis-url redis://host:6379/0] [--db-url postgresql://user:pw@host:5432/app_db]
  [--job-func NAME] [--api-prefix /api/v1] [--timeout-ms 5000]`;

type Outcome = 'ok' | 'FAIL' | 'skip';
interface CheckResult {
  name: string;
  outcome: Outcome;
  detail: string;
}

class CheckFailed extends Error {}
const fail = (reason: string): never => {
  throw new CheckFailed(reason);
};

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'password-file': { type: 'string' },
      'redis-url': { type: 'string' },
      'db-url': { type: 'string' },
      'job-func': { type: 'string' },
      'api-prefix': { type: 'string', default: '/api/v1' },
      'timeout-ms': { type: 'string', default: '5000' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!values.url) {
    console.error(`--url is required\n${USAGE}`);
    process.exit(2);
  }
  const password =
    values.password ??
    (values['password-file'] ? readFileSync(values['password-file'], 'utf8').trim() : undefined);
  return {
    baseUrl: values.url.replace(/\/+$/, ''),
    username: values.username,
    password,
    redisUrl: values['redis-url'],
    dbUrl: values['db-url'],
    jobFunc: values['job-func'],
    apiPrefix: values['api-prefix']!.replace(/\/+$/, ''),
    timeoutMs: Number(values['timeout-ms']),
  };
}

async function verify(options: ReturnType<typeof parseOptions>): Promise<CheckResult[]> {
  const secrets = [options.password].filter((s): s is string => Boolean(s));
  const mask = (text: string) => {
    let masked = maskSecretsInText(text);
    for (const secret of secrets) masked = masked.split(secret).join(MASK);
    return masked;
  };
  const api = (path: string) => `${options.baseUrl}${options.apiPrefix}${path}`;
  const request = async (url: string, init: RequestInit = {}) => {
    const started = performance.now();
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
      const text = await response.text();
      return { response, text, ms: Math.round(performance.now() - started) };
    } catch (error) {
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      return fail(`${init.method ?? 'GET'} ${new URL(url).pathname} did not answer (${why})`);
    }
  };
  const json = (text: string) => {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  /** The error envelope's code and message, when the body is one. */
  const reasonOf = (status: number, text: string) => {
    const body = json(text);
    return body?.error_code
      ? `${status} ${body.error_code}: ${body.message}`
      : `${status} ${text.slice(0, 120)}`;
  };

  const results: CheckResult[] = [];
  const check = async (name: string, run: () => Promise<string>) => {
    try {
      const detail = await run();
      results.push({
        name,
        outcome: detail.startsWith('skip: ') ? 'skip' : 'ok',
        detail: mask(detail.replace(/^skip: /, '')),
      });
    } catch (error) {
      results.push({ name, outcome: 'FAIL', detail: mask((error as Error).message) });
    }
  };

  await check('liveness', async () => {
    const { response, text, ms } = await request(`${options.baseUrl}/healthz`);
    if (response.status !== 200) fail(`GET /healthz answered ${reasonOf(response.status, text)}`);
    return `GET /healthz 200 (${ms} ms)`;
  });

  await check('readiness', async () => {
    const { response, text, ms } = await request(api('/health'));
    const body = json(text) as {
      status?: string;
      components?: Record<string, { status: string; error?: string }>;
    };
    if (!body?.status) fail(`GET ${options.apiPrefix}/health answered ${reasonOf(response.status, text)}`);
    const components = Object.entries(body.components ?? {});
    const summary = components.map(([name, c]) => `${name}=${c.status}`).join(' ');
    if (body.status !== 'healthy') {
      const broken = components
        .filter(([, c]) => c.status !== 'healthy')
        .map(([name, c]) => `${name}: ${c.error ?? c.status}`)
        .join('; ');
      fail(`status ${body.status} (${response.status}): ${broken || summary}`);
    }
    return `${response.status} healthy: ${summary} (${ms} ms)`;
  });

  await check('redis round trip', async () => {
    if (!options.redisUrl) return 'skip: no --redis-url (readiness covers the origin’s own Redis check)';
    const client = new Redis(options.redisUrl, {
      lazyConnect: true,
      connectTimeout: options.timeoutMs,
      commandTimeout: options.timeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    let lastError: Error | undefined;
    client.on('error', (error: Error) => {
      lastError = error;
    });
    try {
      await client.connect();
      const key = `verify-prod:${randomBytes(6).toString('hex')}`;
      const value = randomBytes(8).toString('hex');
      await client.set(key, value, 'EX', 60);
      const read = await client.get(key);
      await client.del(key);
      if (read !== value) fail(`wrote ${key} but read back ${JSON.stringify(read)}`);
      return `SET/GET/DEL on ${maskSecretsInText(options.redisUrl)}`;
    } catch (error) {
      if (error instanceof CheckFailed) throw error;
      const why = lastError?.message ?? (error as Error).message;
      return fail(`${maskSecretsInText(options.redisUrl)} ${why}`);
    } finally {
      client.disconnect();
    }
  });

  await check('postgres read-after-write', async () => {
    if (!options.dbUrl) return 'skip: no --db-url (the job check writes and reads through the API)';
    const normalised = normalisePostgresUrl(options.dbUrl);
    if (!normalised.ok) return fail(`--db-url ${normalised.reason}`);
    const settings = { max: 1, connect_timeout: Math.ceil(options.timeoutMs / 1000), onnotice: () => {} };
    // Written on one connection, read on another: what a replica behind a pool sees.
    const writer = postgres(normalised.url, settings);
    const reader = postgres(normalised.url, settings);
    try {
      await writer`create table if not exists ops_verify_scratch (
        id text primary key, written_at timestamptz not null default now())`;
      const id = randomBytes(8).toString('hex');
      await writer`insert into ops_verify_scratch (id) values (${id})`;
      const rows = await reader`select id from ops_verify_scratch where id = ${id}`;
      await writer`delete from ops_verify_scratch where id = ${id} or written_at < now() - interval '1 day'`;
      if (rows.length !== 1) fail(`row ${id} written but not read back on a second connection`);
      return `insert + read on a second connection + delete in ops_verify_scratch (${maskSecretsInText(normalised.url)})`;
    } catch (error) {
      if (error instanceof CheckFailed) throw error;
      return fail(`${maskSecretsInText(normalised.url)} ${(error as Error).message}`);
    } finally {
      await Promise.allSettled([writer.end({ timeout: 1 }), reader.end({ timeout: 1 })]);
    }
  });

  let token: string | undefined;
  await check('token issue', async () => {
    if (!options.username || !options.password)
      return fail('--username and --password (or --password-file) are required');
    const credentials = { username: options.username, password: options.password };
    let result = await request(api('/auth/token'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(credentials),
    });
    if ([400, 415, 422].includes(result.response.status)) {
      // The OAuth2 password flow posts a form.
      result = await request(api('/auth/token'), { method: 'POST', body: new URLSearchParams(credentials) });
    }
    const body = json(result.text) as { access_token?: string } | undefined;
    if (result.response.status !== 200 || !body?.access_token) {
      fail(`POST ${options.apiPrefix}/auth/token answered ${reasonOf(result.response.status, result.text)}`);
    }
    token = body!.access_token!;
    secrets.push(token);
    return `POST ${options.apiPrefix}/auth/token 200 for ${options.username} (${result.ms} ms)`;
  });

  await check('job create-then-read', async () => {
    if (!token) return fail('no token (the token check failed)');
    const auth = { Authorization: `Bearer ${token}` };
    let func = options.jobFunc;
    if (!func) {
      // Prefer the built-in hello job (harmless); else the first registered function.
      const { response, text } = await request(api('/functions'), { headers: auth });
      const body = json(text) as { items?: { key?: string; name?: string }[] } | undefined;
      const keys = (body?.items ?? [])
        .map((item) => item.key ?? item.name)
        .filter((key): key is string => !!key);
      func = keys.find((key) => key.endsWith(':hello_job')) ?? keys[0];
      if (!func) {
        fail(
          `no --job-func and GET ${options.apiPrefix}/functions gave none (${reasonOf(response.status, text)})`,
        );
      }
    }
    const name = `verify-prod-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
    const created = await request(api('/jobs'), {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name,
        func,
        cron: '0 0 1 1 *',
        enabled: false,
        description: 'created by npm run verify:prod; disabled and archived after the check',
      }),
    });
    const job = json(created.text) as { id?: string; name?: string } | undefined;
    if (created.response.status !== 201 && created.response.status !== 200) {
      fail(`POST ${options.apiPrefix}/jobs answered ${reasonOf(created.response.status, created.text)}`);
    }
    if (!job?.id) fail(`POST ${options.apiPrefix}/jobs returned no id`);
    const read = await request(api(`/jobs/${job!.id}`), { headers: auth });
    const readBack = json(read.text) as { name?: string } | undefined;
    // Jobs are archived, never deleted (non-delete policy); archiving is best effort here.
    const archived = await request(api(`/jobs/${job!.id}/archive`), { method: 'POST', headers: auth });
    if (read.response.status !== 200 || readBack?.name !== name) {
      fail(`created ${name} but GET answered ${reasonOf(read.response.status, read.text)}`);
    }
    return `created ${name} (${func}), read it back${archived.response.ok ? ', archived it' : ` (archive answered ${archived.response.status})`}`;
  });

  return results;
}

function formatReport(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `${r.outcome.padEnd(4)}  ${r.name.padEnd(width)}  ${r.detail}`);
  const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
  lines.push(`result: ${count('ok')} ok, ${count('FAIL')} FAIL, ${count('skip')} skipped`);
  return lines.join('\n');
}

const options = parseOptions(process.argv.slice(2));
console.log(`verify:prod ${maskSecretsInText(options.baseUrl)}`);
const results = await verify(options);
console.log(formatReport(results));
process.exit(results.some((r) => r.outcome === 'FAIL') ? 1 : 0);
