// pino JSON lines: one per request (method, route template, status, duration_ms, trace_id), and redaction.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/index.ts';
import { createRouter } from '../../src/http/router.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { isSecretFieldName, maskSecretsInText, redactUrl } from '../../src/observability/redact.ts';
import { captureLines, createTestDeps, UNUSED_DATABASE } from '../support/test-deps.ts';

async function appWithLog(env: Record<string, string> = {}) {
  const { deps, log } = await createTestDeps({ env, app: UNUSED_DATABASE, legacy: null });
  const app = createApp(deps);
  app.route(
    '/probe',
    createRouter()
      .get('/items/:id', (c) => c.json({ id: c.req.param('id') }))
      .get('/boom', () => {
        throw new Error('boom');
      }),
  );
  return { app, log };
}

const requestLines = (lines: Record<string, unknown>[]) => lines.filter((line) => line.msg === 'request');

describe('request log lines', () => {
  it('writes exactly one line per request with method, route template, status, duration and trace id', async () => {
    const { app, log } = await appWithLog();
    const response = await app.request('/probe/items/42?x=1', {
      headers: { 'X-Request-Id': 'req-42' },
    });
    expect(response.status).toBe(200);
    const lines = requestLines(log.lines);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/probe/items/:id',
      path: '/probe/items/42',
      status: 200,
      trace_id: 'req-42',
    });
    expect(typeof lines[0]!.duration_ms).toBe('number');
    expect(lines[0]!.duration_ms as number).toBeGreaterThanOrEqual(0);
    expect(typeof lines[0]!.time).toBe('string');
  });

  it('logs 4xx at info and 5xx at error, each once', async () => {
    const { app, log } = await appWithLog();
    await app.request('/nowhere');
    await app.request('/probe/boom');
    const lines = requestLines(log.lines);
    expect(lines.map((line) => [line.status, line.level])).toEqual([
      [404, 30],
      [500, 50],
    ]);
    expect(lines[1]!.route).toBe('/probe/boom');
  });

  it('masks credentials a client put in the path, and keeps the base fields', async () => {
    const { app, log } = await appWithLog();
    await app.request('/probe/items/password=hunter2-in-path');
    const [line] = requestLines(log.lines);
    expect(line!.path).toBe('/probe/items/password=***');
    expect(JSON.stringify(log.lines)).not.toContain('hunter2-in-path');
    expect(line!.service).toBe('app-server');
  });

  it('follows LOG_LEVEL', async () => {
    const { app, log } = await appWithLog({ LOG_LEVEL: 'WARN' });
    await app.request('/healthz');
    await app.request('/probe/boom');
    expect(requestLines(log.lines).map((line) => line.status)).toEqual([500]);
  });
});

describe('redaction', () => {
  const SECRETS = [
    'Bearer-tok-1',
    'sid-cookie-2',
    'pw-field-3',
    'tok-field-4',
    'nested-pw-5',
    'api-key-6',
    'jwt-7',
    'dburl-pw-8',
    'msg-pw-9',
    'msg-url-pw-10',
    'deep-secret-11',
    'set-cookie-12',
  ];

  it('never writes authorization, cookies, passwords, tokens, secrets or DB URL passwords', () => {
    const { stream, raw } = captureLines();
    const logger = createLogger({ level: 'info', destination: stream });
    logger.info(
      {
        req: { headers: { authorization: 'Bearer Bearer-tok-1', cookie: 'sid=sid-cookie-2' } },
        headers: { 'set-cookie': 'sid=set-cookie-12' },
        password: 'pw-field-3',
        token: 'tok-field-4',
        user: { name: 'kim', password: 'nested-pw-5', api_key: 'api-key-6' },
        config: { auth: { jwt_secret_key: 'jwt-7', nested: { client_secret: 'deep-secret-11' } } },
        db: 'postgresql://app:dburl-pw-8@db.internal:5432/app',
      },
      'connecting with password=msg-pw-9 to postgres://u:msg-url-pw-10@h/db',
    );
    logger.error({ err: new Error('failed: postgres://u:msg-url-pw-10@h/db') }, 'oops');
    const output = raw.join('\n');
    for (const secret of SECRETS) expect(output).not.toContain(secret);
    // What is not secret stays readable.
    const [first] = raw.map((line) => JSON.parse(line));
    expect(first.user.name).toBe('kim');
    expect(first.db).toBe('postgresql://app:***@db.internal:5432/app');
    expect(first.msg).toBe('connecting with password=*** to postgres://u:***@h/db');
  });

  it('can log the whole parsed Config without a secret in it', () => {
    const { config } = parseConfig({
      APP_ENV: 'production',
      DB_APP_URL: 'postgresql://app:cfg-db-pw-1@db.internal:5432/app',
      DB_LEGACY_URL: 'postgresql://legacy:cfg-db-pw-2@legacy.internal:5432/legacy',
      REDIS_URL: 'redis://:cfg-redis-pw-3@redis.internal:6379/0',
      ADMIN_PASSWORD: 'cfg-admin-password-4',
      JWT_SECRET_KEY: 'cfg-jwt-secret-5-0123456789abcdef0123456789',
      METRICS_TOKEN: 'cfg-metrics-token-6-0123456789abcdef',
    });
    const { stream, raw } = captureLines();
    createLogger({ level: 'info', destination: stream }).info({ config }, 'configuration');
    const output = raw.join('\n');
    for (const secret of [
      'cfg-db-pw-1',
      'cfg-db-pw-2',
      'cfg-redis-pw-3',
      'cfg-admin-password-4',
      'cfg-jwt-secret-5',
      'cfg-metrics-token-6',
    ]) {
      expect(output).not.toContain(secret);
    }
    const logged = JSON.parse(raw[0]!).config;
    expect(logged.auth.adminUsername).toBe('admin');
    expect(logged.db.appUrl).toBe('postgresql://app:***@db.internal:5432/app');
  });

  it('recognises secret field names in any case style', () => {
    for (const name of [
      'password',
      'adminPassword',
      'jwtSecret',
      'client_secret',
      'x-api-key',
      'accessToken',
      'Set-Cookie',
    ]) {
      expect(isSecretFieldName(name), name).toBe(true);
    }
    for (const name of ['name', 'trace_id', 'passing', 'tokenizer_kind', 'secretary']) {
      expect(isSecretFieldName(name), name).toBe(false);
    }
  });

  it('masks URL passwords, bearer tokens and key=value secrets in free text', () => {
    expect(redactUrl('redis://:s3cret@redis:6379/0')).toBe('redis://:***@redis:6379/0');
    expect(maskSecretsInText('Authorization: Bearer abc.def.ghi')).toBe('Authorization: Bearer ***');
    expect(maskSecretsInText('token=abc&user=kim')).toBe('token=***&user=kim');
    expect(maskSecretsInText('no secrets here: postgres://db:5432/app')).toBe(
      'no secrets here: postgres://db:5432/app',
    );
  });
});
