import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.ts';

/** A production environment that passes every guard; each test breaks one thing. */
const PRODUCTION: Record<string, string> = {
  APP_ENV: 'production',
  DB_APP_URL: 'postgresql://app_user:AppDbPassw0rd-x1@db.internal:5432/app_db',
  DB_LEGACY_URL: 'postgresql://legacy_user:LegacyDbPassw0rd-x2@legacy.internal:5432/legacy_db',
  REDIS_URL: 'redis://:RedisPassw0rd-x3@redis.internal:6379/0',
  ADMIN_PASSWORD: 'Adm1n-Passw0rd-x4-long',
  JWT_SECRET_KEY: 'jwt-9f8e7d6c5b4a39281706f5e4d3c2b1a0-x5',
  METRICS_PORT: '9464',
};
const SECRETS = ['AppDbPassw0rd', 'LegacyDbPassw0rd', 'RedisPassw0rd', 'Adm1n-Passw0rd', 'jwt-9f8e7d6c5b4a'];

function refusal(env: Record<string, string | undefined>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('parseConfig defaults (local)', () => {
  it('gives a safe local default for everything', () => {
    const { config, warnings } = parseConfig({});
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      appEnv: 'local',
      isProduction: false,
      port: 8000,
      host: '127.0.0.1',
      apiPrefix: '/api/v1',
      projectName: 'App Server',
      redisUrl: undefined,
      startup: { withoutPostgres: false, withoutRedis: false },
      health: { postgresTimeoutMs: 500, redisTimeoutMs: 300 },
      shutdownTimeoutMs: 10_000,
      http: { corsOrigins: [], secureCookies: false, httpsOnly: false },
      log: { level: 'info', pretty: false },
    });
    expect(config.db).toMatchObject({
      mode: 'embedded',
      appUrl: undefined,
      legacyUrl: undefined,
      migrateOnStart: true,
    });
    expect(config.files.maxFileSize).toBe(10 * 1024 * 1024);
    expect(config.files.allowedTypes).toContain('application/pdf');
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('pretty logs only for a person at a terminal, and never in production', () => {
    expect(parseConfig({}, { interactive: true }).config.log.pretty).toBe(true);
    expect(parseConfig({}, { interactive: false }).config.log.pretty).toBe(false);
    expect(parseConfig(PRODUCTION, { interactive: true }).config.log.pretty).toBe(false);
  });

  it('ignores variables it does not know', () => {
    expect(() => parseConfig({ SOMETHING_ELSE: 'x', PATH: '/bin' })).not.toThrow();
  });
});

describe('values written as in the seed templates', () => {
  it('normalises postgresql+asyncpg:// URLs with a warning that holds no password', () => {
    const { config, warnings } = parseConfig({
      DB_APP_URL: 'postgresql+asyncpg://app_user:app_pass@127.0.0.1:15432/app_db',
      DB_LEGACY_URL: 'postgresql+asyncpg://legacy_user:legacy_pass@127.0.0.1:15432/legacy_db',
    });
    expect(config.db.appUrl).toBe('postgresql://app_user:app_pass@127.0.0.1:15432/app_db');
    expect(config.db.legacyUrl).toBe('postgresql://legacy_user:legacy_pass@127.0.0.1:15432/legacy_db');
    expect(config.db.mode).toBe('local_ssh');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^DB_APP_URL: the postgresql\+asyncpg:\/\/ scheme/);
    expect(warnings[1]).toMatch(/^DB_LEGACY_URL:/);
    expect(warnings.join('\n')).not.toMatch(/app_pass|legacy_pass/);
  });

  it('accepts postgres:// and postgresql:// unchanged, without a warning', () => {
    const { config, warnings } = parseConfig({ DB_APP_URL: 'postgres://u:p@db:5432/app' });
    expect(config.db.appUrl).toBe('postgres://u:p@db:5432/app');
    expect(warnings).toEqual([]);
  });

  it('strips inline comments from numbers, booleans, lists and the log level', () => {
    const { config } = parseConfig({
      MAX_FILE_SIZE: '10485760  # 10MB',
      HTTPS_ONLY: 'true # behind TLS',
      PORT: '8080 # http',
      ALLOWED_FILE_TYPES: 'image/png,text/plain  # two',
      LOG_LEVEL: 'DEBUG  # verbose',
    });
    expect(config.files.maxFileSize).toBe(10_485_760);
    expect(config.http.httpsOnly).toBe(true);
    expect(config.http.secureCookies).toBe(true);
    expect(config.port).toBe(8080);
    expect(config.files.allowedTypes).toEqual(['image/png', 'text/plain']);
    expect(config.log.level).toBe('debug');
  });

  it('reads CORS_ORIGINS as a JSON array (the seed) or a comma list', () => {
    const fromJson = parseConfig({
      CORS_ORIGINS: '["http://localhost:3000", "http://localhost:8080", "http://127.0.0.1:8080"]',
    });
    expect(fromJson.config.http.corsOrigins).toEqual([
      'http://localhost:3000',
      'http://localhost:8080',
      'http://127.0.0.1:8080',
    ]);
    const fromList = parseConfig({ CORS_ORIGINS: 'https://a.example.com, https://b.example.com' });
    expect(fromList.config.http.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
  });

  it('refuses a CORS entry that is not an origin, naming the variable', () => {
    expect(refusal({ CORS_ORIGINS: 'https://a.example.com/path' }).variable).toBe('CORS_ORIGINS');
    expect(refusal({ CORS_ORIGINS: 'ftp://files.example.com' }).variable).toBe('CORS_ORIGINS');
    expect(refusal({ CORS_ORIGINS: '["unterminated' }).variable).toBe('CORS_ORIGINS');
  });

  it('names the variable of a value that does not parse', () => {
    expect(refusal({ PORT: 'eighty' }).variable).toBe('PORT');
    expect(refusal({ PORT: '70000' }).message).toMatch(/^PORT: must be at most 65535$/);
    expect(refusal({ HTTPS_ONLY: 'maybe' }).variable).toBe('HTTPS_ONLY');
    expect(refusal({ APP_ENV: 'staging' }).variable).toBe('APP_ENV');
    expect(refusal({ API_V1_STR: 'v1' }).variable).toBe('API_V1_STR');
    expect(refusal({ LOG_LEVEL: 'loud' }).variable).toBe('LOG_LEVEL');
  });
});

describe('production guards', () => {
  it('accepts a sound production configuration (production and aws)', () => {
    for (const appEnv of ['production', 'aws']) {
      const { config } = parseConfig({ ...PRODUCTION, APP_ENV: appEnv });
      expect(config.isProduction).toBe(true);
      expect(config.db.migrateOnStart).toBe(false);
      expect(config.db.mode).toBe('local_ssh');
    }
    expect(parseConfig({ ...PRODUCTION, MIGRATE_ON_START: 'true' }).config.db.migrateOnStart).toBe(true);
    expect(
      parseConfig({ ...PRODUCTION, REDIS_URL: undefined, STARTUP_WITHOUT_REDIS: 'true' }).config.redisUrl,
    ).toBeUndefined();
  });

  const cases: [string, Record<string, string | undefined>, string][] = [
    ['a missing DB_APP_URL', { DB_APP_URL: undefined }, 'DB_APP_URL'],
    ['an empty DB_APP_URL', { DB_APP_URL: '' }, 'DB_APP_URL'],
    ['a DB_APP_URL that is not a URL', { DB_APP_URL: 'app_user:AppDbPassw0rd-x1 at db' }, 'DB_APP_URL'],
    ['a DB_APP_URL of another scheme', { DB_APP_URL: 'mysql://u:AppDbPassw0rd-x1@db/app' }, 'DB_APP_URL'],
    ['a DB_APP_URL without a database', { DB_APP_URL: 'postgresql://u:AppDbPassw0rd-x1@db' }, 'DB_APP_URL'],
    [
      'a loopback DB_APP_URL (127.0.0.1)',
      { DB_APP_URL: 'postgresql://u:AppDbPassw0rd-x1@127.0.0.1/app' },
      'DB_APP_URL',
    ],
    [
      'a loopback DB_APP_URL (localhost)',
      { DB_APP_URL: 'postgres://u:AppDbPassw0rd-x1@localhost:5432/app' },
      'DB_APP_URL',
    ],
    ['a loopback DB_APP_URL (::1)', { DB_APP_URL: 'postgres://u:AppDbPassw0rd-x1@[::1]/app' }, 'DB_APP_URL'],
    [
      'a DB_APP_URL over a Unix socket',
      { DB_APP_URL: 'postgres://u:AppDbPassw0rd-x1@/app?host=/run/postgresql' },
      'DB_APP_URL',
    ],
    [
      'a loopback DB_LEGACY_URL',
      { DB_LEGACY_URL: 'postgresql+asyncpg://l:LegacyDbPassw0rd-x2@127.0.0.1:15432/legacy' },
      'DB_LEGACY_URL',
    ],
    ['a malformed DB_LEGACY_URL', { DB_LEGACY_URL: 'LegacyDbPassw0rd-x2' }, 'DB_LEGACY_URL'],
    ['a loopback REDIS_URL', { REDIS_URL: 'redis://:RedisPassw0rd-x3@127.0.0.1:6379/0' }, 'REDIS_URL'],
    ['a localhost REDIS_URL', { REDIS_URL: 'redis://:RedisPassw0rd-x3@localhost:6379' }, 'REDIS_URL'],
    ['a REDIS_URL of another scheme', { REDIS_URL: 'http://:RedisPassw0rd-x3@redis:6379' }, 'REDIS_URL'],
    ['a missing REDIS_URL', { REDIS_URL: undefined }, 'REDIS_URL'],
    ['DB_MODE=embedded', { DB_MODE: 'embedded' }, 'DB_MODE'],
    ['the default ADMIN_PASSWORD', { ADMIN_PASSWORD: undefined }, 'ADMIN_PASSWORD'],
    ["the seed's ADMIN_PASSWORD", { ADMIN_PASSWORD: 'admin123' }, 'ADMIN_PASSWORD'],
    ["the seed's placeholder password", { ADMIN_PASSWORD: '<set-strong-password>' }, 'ADMIN_PASSWORD'],
    ['a short ADMIN_PASSWORD', { ADMIN_PASSWORD: 'Sh0rt-pw' }, 'ADMIN_PASSWORD'],
    [
      'an ADMIN_PASSWORD equal to the user name',
      { ADMIN_USERNAME: 'operator-account-1', ADMIN_PASSWORD: 'operator-account-1' },
      'ADMIN_PASSWORD',
    ],
    ['the default JWT_SECRET_KEY', { JWT_SECRET_KEY: undefined }, 'JWT_SECRET_KEY'],
    [
      "the seed's JWT_SECRET_KEY",
      { JWT_SECRET_KEY: 'your-super-secret-jwt-key-change-in-production' },
      'JWT_SECRET_KEY',
    ],
    ['a short JWT_SECRET_KEY', { JWT_SECRET_KEY: 'jwt-9f8e7d6c5b4a-short' }, 'JWT_SECRET_KEY'],
    ['STARTUP_WITHOUT_POSTGRES=true', { STARTUP_WITHOUT_POSTGRES: 'true' }, 'STARTUP_WITHOUT_POSTGRES'],
    ['a wildcard CORS origin', { CORS_ORIGINS: '*' }, 'CORS_ORIGINS'],
  ];

  for (const appEnv of ['production', 'aws']) {
    for (const [what, override, variable] of cases) {
      it(`${appEnv}: refuses ${what}, naming ${variable} in one line without a secret`, () => {
        const error = refusal({ ...PRODUCTION, APP_ENV: appEnv, ...override });
        expect(error.variable).toBe(variable);
        expect(error.message.startsWith(`${variable}: `)).toBe(true);
        expect(error.message).not.toMatch(/\n/);
        for (const secret of SECRETS) expect(error.message).not.toContain(secret);
        // The offending value itself is never echoed when it may be secret.
        const echoable = ['CORS_ORIGINS', 'DB_MODE', 'STARTUP_WITHOUT_POSTGRES'];
        for (const value of Object.values(override)) {
          if (value && !echoable.includes(variable)) expect(error.message).not.toContain(value);
        }
      });
    }
  }

  it('lets the same unsafe values through locally', () => {
    const { config } = parseConfig({
      DB_APP_URL: 'postgresql://u:p@127.0.0.1/app',
      REDIS_URL: 'redis://127.0.0.1:6379',
      ADMIN_PASSWORD: 'admin123',
      STARTUP_WITHOUT_POSTGRES: 'true',
      CORS_ORIGINS: '*',
    });
    expect(config.isProduction).toBe(false);
    expect(config.startup.withoutPostgres).toBe(true);
  });
});
