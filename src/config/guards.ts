// Production refuses unsafe configuration at start (seed 003 section 1-2).
// Each problem names the variable and the reason in one line and never echoes the value.

import type { Config } from './config.ts';
import type { RawEnv } from './env.ts';
import { isLoopbackHost, urlHost } from './urls.ts';

export interface ConfigProblem {
  variable: string;
  reason: string;
}

/** Values shipped in the seed's templates or commonly left in place. */
const KNOWN_DEFAULT_PASSWORDS = new Set([
  'admin',
  'admin123',
  'password',
  'changeme',
  'change_me',
  'change_me_in_env',
  '<set-strong-password>',
  'secret',
]);
const KNOWN_DEFAULT_JWT_SECRETS = new Set([
  'your-super-secret-jwt-key-change-in-production',
  '<set-strong-jwt-secret-key>',
  'local-development-only-jwt-secret-not-for-production',
  'secret',
  'changeme',
]);

export const MIN_ADMIN_PASSWORD_LENGTH = 12;
export const MIN_JWT_SECRET_LENGTH = 32;
export const MIN_METRICS_TOKEN_LENGTH = 24;

export function findProductionProblem(env: RawEnv, config: Config): ConfigProblem | undefined {
  // An explicit DB_MODE=embedded is named as such; a missing URL is named by the URL's variable.
  if (env.DB_MODE === 'embedded') {
    return {
      variable: 'DB_MODE',
      reason: 'the embedded database is for local use only; production needs PostgreSQL',
    };
  }
  if (!config.db.appUrl) {
    return {
      variable: 'DB_APP_URL',
      reason: 'is required in production (the embedded database is for local use only)',
    };
  }
  for (const [variable, url] of [
    ['DB_APP_URL', config.db.appUrl],
    ['DB_LEGACY_URL', config.db.legacyUrl],
  ] as const) {
    if (url && isLoopbackHost(urlHost(url))) {
      return {
        variable,
        reason: 'points at a loopback address; production needs a database server the container can reach',
      };
    }
  }
  if (config.startup.withoutPostgres) {
    return {
      variable: 'STARTUP_WITHOUT_POSTGRES',
      reason: 'must be false in production: the scheduler needs its database',
    };
  }
  if (!config.redisUrl && !config.startup.withoutRedis) {
    return {
      variable: 'REDIS_URL',
      reason: 'is required in production (or set STARTUP_WITHOUT_REDIS=true to run without Redis)',
    };
  }
  if (config.redisUrl) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(config.redisUrl);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')) {
      return { variable: 'REDIS_URL', reason: 'is not a valid redis:// or rediss:// URL' };
    }
    if (isLoopbackHost(parsed.hostname)) {
      return {
        variable: 'REDIS_URL',
        reason: 'points at a loopback address; production needs a Redis server the container can reach',
      };
    }
  }
  const password = env.ADMIN_PASSWORD;
  if (
    KNOWN_DEFAULT_PASSWORDS.has(password.toLowerCase()) ||
    password.length < MIN_ADMIN_PASSWORD_LENGTH ||
    password === env.ADMIN_USERNAME
  ) {
    return {
      variable: 'ADMIN_PASSWORD',
      reason: `is a default or weak password; set one of at least ${MIN_ADMIN_PASSWORD_LENGTH} characters`,
    };
  }
  const jwtSecret = env.JWT_SECRET_KEY;
  if (KNOWN_DEFAULT_JWT_SECRETS.has(jwtSecret) || jwtSecret.length < MIN_JWT_SECRET_LENGTH) {
    return {
      variable: 'JWT_SECRET_KEY',
      reason: `is a default or weak secret; set a random value of at least ${MIN_JWT_SECRET_LENGTH} characters`,
    };
  }
  if (!config.metrics.token && config.metrics.port === undefined) {
    return {
      variable: 'METRICS_TOKEN',
      reason:
        'is required in production unless METRICS_PORT serves /metrics on an internal listener (docs/operations/security.md)',
    };
  }
  if (config.metrics.token && config.metrics.token.length < MIN_METRICS_TOKEN_LENGTH) {
    return {
      variable: 'METRICS_TOKEN',
      reason: `is too short; set a random value of at least ${MIN_METRICS_TOKEN_LENGTH} characters`,
    };
  }
  return undefined;
}
