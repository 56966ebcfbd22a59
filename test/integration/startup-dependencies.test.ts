// createDatabases and createKeyValueStore as the entry uses them: real servers, the STARTUP_WITHOUT_* switches,
// and pools that really close.
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/index.ts';
import { createDatabases, DatabaseStartupError } from '../../src/db/index.ts';
import { LegacyStatementRefused } from '../../src/db/legacy-guard.ts';
import { createKeyValueStore, RedisStartupError } from '../../src/kv/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { freePort } from '../support/ports.ts';
import { createTestDatabase, realPostgresUrl, realRedisUrl } from '../support/real-servers.ts';
import { captureLines, createTestDeps } from '../support/test-deps.ts';
import { until } from '../support/time-scale.ts';

const quietLogger = () => {
  const log = captureLines();
  return { logger: createLogger({ level: 'debug', destination: log.stream }), log };
};

describe.skipIf(!realPostgresUrl())('createDatabases on real PostgreSQL', () => {
  it('opens the app DB and a guarded legacy DB, and close() ends every connection', async () => {
    const [appUrl, legacyUrl] = await Promise.all([createTestDatabase('app'), createTestDatabase('legacy')]);
    const { config } = parseConfig({ APP_ENV: 'test', DB_APP_URL: appUrl, DB_LEGACY_URL: legacyUrl });
    const { logger } = quietLogger();
    const db = await createDatabases(config, logger);
    const observer = postgres(realPostgresUrl()!, { max: 1, onnotice: () => {} });
    // Only this test's databases: other suites' origins share the server and the application name.
    const appName = new URL(appUrl).pathname.slice(1);
    const legacyName = new URL(legacyUrl).pathname.slice(1);
    try {
      expect(db.app.kind).toBe('postgres');
      expect(db.legacy?.kind).toBe('postgres');
      expect(db.app.label).toBe(appUrl); // no password in the test URL; labels are redacted otherwise
      await db.app.query('create table t (id int)');
      await expect(db.legacy!.query('drop table if exists t')).rejects.toBeInstanceOf(LegacyStatementRefused);
      expect(await db.legacy!.query<{ n: number }>('select 1 as n')).toEqual([{ n: 1 }]);

      const connections = async () =>
        (
          await observer`select count(*)::int as n from pg_stat_activity
            where application_name like 'app-server DB_%' and datname in (${appName}, ${legacyName})`
        )[0]!.n as number;
      expect(await connections()).toBeGreaterThanOrEqual(2);
      await db.close();
      // Backends leave pg_stat_activity a moment after the client hangs up: a bounded wait, not a timing.
      await until(async () => (await connections()) === 0, {
        what: 'the closed pools leaving pg_stat_activity',
      });
    } finally {
      await observer.end();
    }
  });
});

describe('createDatabases when a database does not answer', () => {
  it('refuses to start, naming the variable with the password masked', async () => {
    const port = await freePort();
    const { config } = parseConfig({
      APP_ENV: 'test',
      DB_APP_URL: `postgres://u:db-secret-pw@127.0.0.1:${port}/app`,
      DB_LEGACY_URL: `postgres://u:db-secret-pw@127.0.0.1:${port}/legacy`,
    });
    const error = await createDatabases(config, quietLogger().logger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseStartupError);
    expect((error as DatabaseStartupError).variable).toBe('DB_APP_URL');
    expect((error as Error).message).toMatch(
      /^DB_APP_URL: cannot connect to postgres:\/\/u:\*\*\*@127\.0\.0\.1/,
    );
    expect((error as Error).message).not.toContain('db-secret-pw');
  });

  it('starts anyway with STARTUP_WITHOUT_POSTGRES=true, and health says unhealthy', async () => {
    const port = await freePort();
    const { config } = parseConfig({
      APP_ENV: 'test',
      STARTUP_WITHOUT_POSTGRES: 'true',
      DB_APP_URL: `postgres://u:db-secret-pw@127.0.0.1:${port}/app`,
      DB_LEGACY_URL: `postgres://u:db-secret-pw@127.0.0.1:${port}/legacy`,
    });
    const { logger, log } = quietLogger();
    const db = await createDatabases(config, logger);
    try {
      const warnings = log.lines.filter((line) => line.level === 40).map((line) => line.variable);
      expect(warnings).toEqual(['DB_APP_URL', 'DB_LEGACY_URL']);
      expect(log.raw.join('\n')).not.toContain('db-secret-pw');
      const { deps } = await createTestDeps({ app: db.app, legacy: null });
      const response = await createApp(deps).request('/api/v1/health');
      expect(response.status).toBe(503);
    } finally {
      await db.close();
    }
  });
});

describe('createKeyValueStore', () => {
  it('uses memory without REDIS_URL', async () => {
    const { config } = parseConfig({ APP_ENV: 'test' });
    const store = await createKeyValueStore(config, quietLogger().logger);
    expect(store.kind).toBe('memory');
  });

  it.skipIf(!realRedisUrl())('connects to a real Redis', async () => {
    const { config } = parseConfig({ APP_ENV: 'test', REDIS_URL: realRedisUrl()! });
    const store = await createKeyValueStore(config, quietLogger().logger);
    try {
      expect(store.kind).toBe('redis');
      await store.ping();
    } finally {
      await store.close();
    }
  });

  it('refuses an unreachable Redis naming REDIS_URL, and starts degraded with STARTUP_WITHOUT_REDIS', async () => {
    const url = `redis://:redis-secret-pw@127.0.0.1:${await freePort()}/0`;
    const refused = await createKeyValueStore(
      parseConfig({ APP_ENV: 'test', REDIS_URL: url }).config,
      quietLogger().logger,
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RedisStartupError);
    expect((refused as Error).message).toMatch(/^REDIS_URL: cannot connect to Redis/);
    expect((refused as Error).message).not.toContain('redis-secret-pw');

    const { config } = parseConfig({ APP_ENV: 'test', REDIS_URL: url, STARTUP_WITHOUT_REDIS: 'true' });
    const { logger, log } = quietLogger();
    const store = await createKeyValueStore(config, logger);
    try {
      expect(
        log.lines.some((line) => line.level === 40 && /STARTUP_WITHOUT_REDIS/.test(String(line.msg))),
      ).toBe(true);
      const { deps } = await createTestDeps({ kv: store, env: { REDIS_URL: url }, legacy: null });
      const response = await createApp(deps).request('/api/v1/health');
      const body = (await response.json()) as {
        status: string;
        components: Record<string, { status: string }>;
      };
      expect(response.status).toBe(200);
      expect(body.status).toBe('degraded');
      expect(body.components.redis!.status).toBe('unhealthy');
      expect(JSON.stringify(body)).not.toContain('redis-secret-pw');
    } finally {
      await store.close();
    }
  });
});
