// Env is parsed once, in the entry, through parseConfig. Nothing else reads process.env.
import { resolve } from 'node:path';
import type { Config } from './config.ts';
import { parseEncryptionKeys } from './encryption-keys.ts';
import { ENV_KEYS, envSchema } from './env.ts';
import { ConfigError } from './errors.ts';
import { findProductionProblem } from './guards.ts';
import { normalisePostgresUrl } from './urls.ts';

export type { AppEnv, Config } from './config.ts';
export type { EncryptionKeys } from './encryption-keys.ts';
export { ENV_KEYS } from './env.ts';
export { ConfigError } from './errors.ts';

export interface ParsedConfig {
  config: Config;
  /** Lines worth a warning at start (for example an asyncpg URL that was normalised). */
  warnings: string[];
}

export interface ParseOptions {
  /** Whether stdout is a terminal a person is watching (pretty logs by default then). */
  interactive?: boolean;
}

export function parseConfig(
  source: Record<string, string | undefined>,
  options: ParseOptions = {},
): ParsedConfig {
  const picked: Record<string, string | undefined> = {};
  for (const key of ENV_KEYS) picked[key] = source[key];

  const result = envSchema.safeParse(picked);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, issue.message);
  }
  const env = result.data;
  const warnings: string[] = [];

  const appUrl = normaliseDbUrl('DB_APP_URL', env.DB_APP_URL, warnings);
  const legacyUrl = normaliseDbUrl('DB_LEGACY_URL', env.DB_LEGACY_URL, warnings);
  const isProduction = env.APP_ENV === 'production' || env.APP_ENV === 'aws';

  const config: Config = {
    appEnv: env.APP_ENV,
    isProduction,
    port: env.PORT,
    host: env.HOST,
    projectName: env.PROJECT_NAME,
    apiPrefix: env.API_V1_STR,
    dataDir: resolve(env.DATA_DIR),
    db: {
      mode: env.DB_MODE ?? (appUrl ? 'local_ssh' : 'embedded'),
      appUrl,
      legacyUrl,
      poolMax: env.DB_POOL_MAX,
      legacyPoolMax: env.DB_LEGACY_POOL_MAX,
      legacyAllowPrivilegedRole: env.LEGACY_ALLOW_PRIVILEGED_ROLE,
      migrateOnStart: env.MIGRATE_ON_START ?? !isProduction,
    },
    redisUrl: env.REDIS_URL,
    startup: { withoutPostgres: env.STARTUP_WITHOUT_POSTGRES, withoutRedis: env.STARTUP_WITHOUT_REDIS },
    health: {
      postgresTimeoutMs: env.HEALTH_POSTGRES_TIMEOUT_MS,
      redisTimeoutMs: env.HEALTH_REDIS_TIMEOUT_MS,
    },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    files: {
      baseDir: resolve(env.FILES_BASE_DIR ?? `${env.DATA_DIR}/files`),
      maxFileSize: env.MAX_FILE_SIZE,
      allowedTypes: env.ALLOWED_FILE_TYPES,
    },
    gdrive: env.GDRIVE_ENABLE
      ? {
          credentialsFile: requiredWhenDriveOn('GDRIVE_CREDENTIALS', env.GDRIVE_CREDENTIALS),
          folderId: requiredWhenDriveOn('GDRIVE_FOLDER_ID', env.GDRIVE_FOLDER_ID),
          apiUrl: env.GDRIVE_API_URL.replace(/\/+$/, ''),
          allowPrivate: env.GDRIVE_ALLOW_PRIVATE,
          retryBaseSeconds: env.GDRIVE_RETRY_BASE_SECONDS,
          pollSeconds: env.GDRIVE_POLL_SECONDS,
        }
      : undefined,
    auth: {
      adminUsername: env.ADMIN_USERNAME,
      adminPassword: env.ADMIN_PASSWORD,
      jwtSecret: env.JWT_SECRET_KEY,
      jwtAlgorithm: env.JWT_ALGORITHM,
      accessTokenMinutes: env.JWT_ACCESS_TOKEN_EXPIRE_MINUTES,
      loginAttemptsPerMinute: env.LOGIN_MAX_ATTEMPTS_PER_MINUTE,
      lockoutThreshold: env.LOGIN_LOCKOUT_THRESHOLD,
      lockoutSeconds: env.LOGIN_LOCKOUT_SECONDS,
    },
    apiDocsPublic: env.API_DOCS_PUBLIC ?? !isProduction,
    scheduler: {
      enabled: env.SCHEDULER_ENABLED,
      leaseMs: env.SCHEDULER_LEASE_MS,
      heartbeatMs: Math.min(env.SCHEDULER_HEARTBEAT_MS, Math.floor(env.SCHEDULER_LEASE_MS / 2)),
      pollMs: env.SCHEDULER_POLL_MS,
      maxConcurrentRuns: env.SCHEDULER_MAX_CONCURRENT_RUNS,
      runRetentionDays: env.RUN_RETENTION_DAYS,
      httpAllowPrivate: env.JOBS_HTTP_ALLOW_PRIVATE,
    },
    http: {
      corsOrigins: env.CORS_ORIGINS,
      trustedProxies: env.TRUSTED_PROXIES,
      secureCookies: env.SECURE_COOKIES ?? env.HTTPS_ONLY,
      httpsOnly: env.HTTPS_ONLY,
    },
    encryption: parseEncryptionKeys(env.ENCRYPTION_KEY, env.ENCRYPTION_KEY_ID, env.ENCRYPTION_KEYS),
    alerts: {
      enabled: env.ALERTS_ENABLED,
      allowPrivate: env.ALERTS_ALLOW_PRIVATE,
      overdueGraceSeconds: env.ALERTS_OVERDUE_GRACE_SECONDS,
      maxAttempts: env.ALERTS_MAX_ATTEMPTS,
      retryBaseSeconds: env.ALERTS_RETRY_BASE_SECONDS,
      timeoutMs: env.ALERTS_TIMEOUT_MS,
      security: {
        windowSeconds: env.SECURITY_ALERT_WINDOW_SECONDS,
        failedLogins: env.SECURITY_ALERT_FAILED_LOGINS,
        deniedResponses: env.SECURITY_ALERT_DENIED_RESPONSES,
      },
    },
    metrics: { token: env.METRICS_TOKEN, port: env.METRICS_PORT },
    rateLimit: {
      enabled: env.RATE_LIMIT_ENABLED,
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      limits: { default: env.RATE_LIMIT_DEFAULT, auth: env.RATE_LIMIT_AUTH, uploads: env.RATE_LIMIT_UPLOADS },
    },
    log: {
      level: env.LOG_LEVEL,
      pretty: env.LOG_PRETTY ?? (!isProduction && options.interactive === true),
    },
  };

  const corsProblem = findCorsProblem(config.http.corsOrigins, isProduction);
  if (corsProblem) throw new ConfigError('CORS_ORIGINS', corsProblem);
  if (config.metrics.port !== undefined && config.metrics.port === config.port) {
    throw new ConfigError('METRICS_PORT', 'must differ from PORT');
  }

  if (isProduction) {
    const problem = findProductionProblem(env, config);
    if (problem) throw new ConfigError(problem.variable, problem.reason);
  }
  return { config, warnings };
}

/** A half-configured Drive mirror is refused everywhere: uploads would queue for a mirror that cannot run. */
function requiredWhenDriveOn(variable: string, value: string | undefined): string {
  if (!value?.trim()) throw new ConfigError(variable, 'is required when GDRIVE_ENABLE=true');
  return value.trim();
}

function normaliseDbUrl(variable: string, value: string | undefined, warnings: string[]): string | undefined {
  if (value === undefined) return undefined;
  const normalised = normalisePostgresUrl(value);
  if (!normalised.ok) throw new ConfigError(variable, normalised.reason);
  if (normalised.rewrittenScheme) {
    warnings.push(
      `${variable}: the ${normalised.rewrittenScheme}:// scheme is read as postgresql:// (postgres.js needs no driver suffix)`,
    );
  }
  return normalised.url;
}

/** CORS is an allowlist of exact origins (seed 003: no regex). */
function findCorsProblem(origins: string[], isProduction: boolean): string | undefined {
  for (const origin of origins) {
    if (origin === '*') {
      if (isProduction) return 'a wildcard origin is refused in production; list the exact origins';
      continue;
    }
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return `"${origin}" is not an origin like https://example.com`;
    }
    if (!['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
      return `"${origin}" is not an origin like https://example.com (scheme, host and optional port only)`;
    }
  }
  return undefined;
}
