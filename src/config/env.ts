// The environment schema: every variable the origin reads, with its default and meaning.
// docs/config/env_variables.md must list exactly these keys (test/unit/config-docs.test.ts checks it).
import { z } from '@hono/zod-openapi';
import { parseCidr } from './cidr.ts';

/** Values copied from the seed's .env templates may carry an inline `# comment`. */
const stripInlineComment = (value: unknown) =>
  typeof value === 'string' ? value.replace(/\s+#.*$/, '').trim() : value;

const bool = (fallback: boolean) =>
  z.preprocess(
    (v) => {
      const s = stripInlineComment(v);
      if (s === undefined || s === '') return undefined;
      if (typeof s !== 'string') return s;
      const lower = s.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
      if (['0', 'false', 'no', 'off'].includes(lower)) return false;
      return s;
    },
    z.boolean({ error: 'expected true or false' }).default(fallback),
  );

const int = (fallback: number, min: number, max: number) =>
  z.preprocess(
    (v) => {
      const s = stripInlineComment(v);
      if (s === undefined || s === '') return undefined;
      return typeof s === 'string' && /^-?\d+$/.test(s) ? Number(s) : s;
    },
    z
      .number({ error: 'expected a whole number' })
      .int()
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );

const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

/** A comma-separated list or a JSON array (the seed writes CORS_ORIGINS as a JSON array). */
const stringList = (fallback: string[]) =>
  z.preprocess(
    (v) => {
      const s = stripInlineComment(v);
      if (s === undefined || s === '') return undefined;
      if (typeof s !== 'string') return s;
      if (s.startsWith('[')) {
        try {
          return JSON.parse(s);
        } catch {
          return s;
        }
      }
      return s
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    },
    z
      .array(z.string(), { error: 'expected a comma-separated list or a JSON array of strings' })
      .default(fallback),
  );

export const APP_ENVS = ['local', 'test', 'production', 'aws'] as const;

export const envSchema = z.object({
  APP_ENV: z.enum(APP_ENVS).default('local'),
  PORT: int(8000, 1, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  PROJECT_NAME: z.string().min(1).default('App Server'),
  API_V1_STR: z
    .string()
    .regex(/^\/api(\/[A-Za-z0-9._-]+)+$/, 'must look like /api/v1 (under /api, no trailing slash)')
    .default('/api/v1'),
  DATA_DIR: z.string().min(1).default('.data'),

  DB_MODE: z.enum(['embedded', 'local_ssh', 'aws_internal']).optional(),
  DB_APP_URL: optionalString,
  DB_LEGACY_URL: optionalString,
  DB_POOL_MAX: int(10, 1, 200),
  DB_LEGACY_POOL_MAX: int(5, 1, 200),
  LEGACY_ALLOW_PRIVILEGED_ROLE: bool(false),
  MIGRATE_ON_START: bool(true).optional(),

  REDIS_URL: optionalString,

  STARTUP_WITHOUT_POSTGRES: bool(false),
  STARTUP_WITHOUT_REDIS: bool(false),
  HEALTH_POSTGRES_TIMEOUT_MS: int(500, 10, 60_000),
  HEALTH_REDIS_TIMEOUT_MS: int(300, 10, 60_000),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 600_000),

  FILES_BASE_DIR: optionalString,
  MAX_FILE_SIZE: int(10 * 1024 * 1024, 1, 10 * 1024 * 1024 * 1024),
  ALLOWED_FILE_TYPES: stringList(['image/jpeg', 'image/png', 'image/gif', 'application/pdf', 'text/plain']),

  ADMIN_USERNAME: z.string().min(1).default('admin'),
  ADMIN_PASSWORD: z.string().min(1).default('admin123'),
  JWT_SECRET_KEY: z.string().min(1).default('local-development-only-jwt-secret-not-for-production'),
  JWT_ALGORITHM: z.enum(['HS256', 'HS384', 'HS512']).default('HS256'),
  JWT_ACCESS_TOKEN_EXPIRE_MINUTES: int(30, 1, 60 * 24 * 30),

  API_DOCS_PUBLIC: bool(true).optional(),
  LOGIN_MAX_ATTEMPTS_PER_MINUTE: int(20, 1, 10_000),
  LOGIN_LOCKOUT_THRESHOLD: int(5, 1, 1000),
  LOGIN_LOCKOUT_SECONDS: int(900, 1, 86_400),
  SCHEDULER_ENABLED: bool(true),
  SCHEDULER_LEASE_MS: int(30_000, 500, 3_600_000),
  SCHEDULER_HEARTBEAT_MS: int(10_000, 100, 1_200_000),
  SCHEDULER_POLL_MS: int(5_000, 100, 600_000),
  SCHEDULER_MAX_CONCURRENT_RUNS: int(16, 1, 1000),
  RUN_RETENTION_DAYS: int(30, 1, 3650),
  JOBS_HTTP_ALLOW_PRIVATE: bool(false),

  ENCRYPTION_KEY: optionalString,
  ENCRYPTION_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,32}$/, 'must be 1-32 letters, digits, dot, dash or underscore')
    .default('k1'),
  ENCRYPTION_KEYS: optionalString,

  ALERTS_ENABLED: bool(true),
  ALERTS_ALLOW_PRIVATE: bool(false),
  ALERTS_OVERDUE_GRACE_SECONDS: int(300, 0, 7 * 86_400),
  ALERTS_MAX_ATTEMPTS: int(8, 1, 50),
  ALERTS_RETRY_BASE_SECONDS: int(30, 1, 3600),
  ALERTS_TIMEOUT_MS: int(10_000, 100, 120_000),
  SECURITY_ALERT_WINDOW_SECONDS: int(300, 10, 86_400),
  SECURITY_ALERT_FAILED_LOGINS: int(10, 1, 100_000),
  SECURITY_ALERT_DENIED_RESPONSES: int(100, 1, 1_000_000),

  CORS_ORIGINS: stringList([]),
  TRUSTED_PROXIES: stringList([]).refine((entries) => entries.every((entry) => parseCidr(entry)), {
    error: 'expected IP addresses or CIDRs (e.g. 10.0.0.0/8, fd00::/8), comma-separated',
  }),
  SECURE_COOKIES: bool(false).optional(),
  HTTPS_ONLY: bool(false),

  METRICS_TOKEN: optionalString,
  METRICS_PORT: z.preprocess((v) => {
    const s = stripInlineComment(v);
    if (s === undefined || s === '') return undefined;
    return typeof s === 'string' && /^\d+$/.test(s) ? Number(s) : s;
  }, z.number({ error: 'expected a port number' }).int().min(1).max(65535).optional()),
  RATE_LIMIT_ENABLED: bool(true),
  RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 3600),
  RATE_LIMIT_DEFAULT: int(600, 1, 1_000_000),
  RATE_LIMIT_AUTH: int(30, 1, 1_000_000),
  RATE_LIMIT_UPLOADS: int(60, 1, 1_000_000),

  LOG_LEVEL: z
    .preprocess(
      (v) => {
        const s = stripInlineComment(v);
        return typeof s === 'string' && s !== '' ? s.toLowerCase() : undefined;
      },
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    )
    .default('info'),
  LOG_PRETTY: bool(false).optional(),

  // Accepted so the seed's env files load unchanged; the origin itself does not act on them.
  PYTHON_VERSION: optionalString,
  SSH_TUNNEL_ENABLE: bool(false),
  SSH_TUNNEL_LOCAL_PORT: optionalString,
  SSH_TUNNEL_REMOTE_HOST: optionalString,
  SSH_TUNNEL_REMOTE_PORT: optionalString,
  SSH_TUNNEL_BASTION_HOST: optionalString,
  SSH_TUNNEL_USER: optionalString,
  SSH_TUNNEL_KEY_PATH: optionalString,
  // Google Drive mirror of uploads (docs/files/storage_guide.md). GDRIVE_CLIENT_SECRETS (the seed's pydrive2
  // OAuth client file) is accepted but unused: the mirror signs in as a service account (GDRIVE_CREDENTIALS).
  GDRIVE_ENABLE: bool(false),
  GDRIVE_CLIENT_SECRETS: optionalString,
  GDRIVE_CREDENTIALS: optionalString,
  GDRIVE_FOLDER_ID: optionalString,
  GDRIVE_API_URL: z.url({ protocol: /^https?$/ }).default('https://www.googleapis.com'),
  GDRIVE_ALLOW_PRIVATE: bool(false),
  GDRIVE_RETRY_BASE_SECONDS: int(30, 1, 3600),
  GDRIVE_POLL_SECONDS: int(30, 1, 3600),
});

export type RawEnv = z.infer<typeof envSchema>;

/** The variable names the schema knows, in schema order. */
export const ENV_KEYS = Object.keys(envSchema.shape) as (keyof RawEnv)[];
