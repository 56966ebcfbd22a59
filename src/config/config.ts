// The parsed configuration's shape (kept apart from the parser so guards can name it without a cycle).
import type { EncryptionKeys } from './encryption-keys.ts';
import type { RawEnv } from './env.ts';

export type AppEnv = RawEnv['APP_ENV'];

export interface Config {
  appEnv: AppEnv;
  isProduction: boolean;
  port: number;
  host: string;
  projectName: string;
  apiPrefix: string;
  dataDir: string;
  db: {
    mode: 'embedded' | 'local_ssh' | 'aws_internal';
    /** Unset means: use embedded PGlite under dataDir (local and test only). */
    appUrl: string | undefined;
    legacyUrl: string | undefined;
    poolMax: number;
    legacyPoolMax: number;
    /** Production starts even when the legacy connection is a superuser or owns tables (not recommended). */
    legacyAllowPrivilegedRole: boolean;
    migrateOnStart: boolean;
  };
  redisUrl: string | undefined;
  startup: { withoutPostgres: boolean; withoutRedis: boolean };
  health: { postgresTimeoutMs: number; redisTimeoutMs: number };
  shutdownTimeoutMs: number;
  files: { baseDir: string; maxFileSize: number; allowedTypes: string[] };
  /** Google Drive mirror of uploads; undefined when GDRIVE_ENABLE=false. */
  gdrive:
    | {
        /** Service-account key file (JSON: client_email, private_key, token_uri). */
        credentialsFile: string;
        folderId: string;
        apiUrl: string;
        /** Lets the mirror reach loopback/private addresses (tests with a local fake Drive). */
        allowPrivate: boolean;
        retryBaseSeconds: number;
        pollSeconds: number;
      }
    | undefined;
  auth: {
    adminUsername: string;
    adminPassword: string;
    jwtSecret: string;
    jwtAlgorithm: 'HS256' | 'HS384' | 'HS512';
    accessTokenMinutes: number;
    /** Login attempts per client IP per minute (429 past it). */
    loginAttemptsPerMinute: number;
    /** Failed logins for one username before it is locked out for lockoutSeconds. */
    lockoutThreshold: number;
    lockoutSeconds: number;
  };
  /** Whether /api/openapi.json and /api/docs answer without authentication. */
  apiDocsPublic: boolean;
  scheduler: {
    /** Off: this origin serves the API but arms no timers and runs no jobs. */
    enabled: boolean;
    /** How long a running row is owned without a heartbeat; a crashed replica's runs expire after it. */
    leaseMs: number;
    heartbeatMs: number;
    /** Fallback poll: changed rows, expired leases, due retries, missed ticks. */
    pollMs: number;
    maxConcurrentRuns: number;
    runRetentionDays: number;
    /** Lets the HTTP request job reach loopback and private addresses (tests, trusted networks). */
    httpAllowPrivate: boolean;
  };
  http: {
    corsOrigins: string[];
    secureCookies: boolean;
    httpsOnly: boolean;
    /** Peers whose X-Forwarded-For / X-Real-IP are believed (src/http/client-ip.ts); empty: none. */
    trustedProxies: string[];
  };
  /** AES-256-GCM keys for secret job arguments and alert channel secrets (ENCRYPTION_KEY, ENCRYPTION_KEYS). */
  encryption: EncryptionKeys;
  alerts: {
    enabled: boolean;
    /** Lets alert channels post to loopback and private addresses (tests, trusted networks). */
    allowPrivate: boolean;
    overdueGraceSeconds: number;
    maxAttempts: number;
    retryBaseSeconds: number;
    timeoutMs: number;
    /** Security events (src/features/security): thresholds per replica within one window. */
    security: {
      windowSeconds: number;
      failedLogins: number;
      deniedResponses: number;
    };
  };
  metrics: {
    /** When set, /metrics answers only `Authorization: Bearer <token>`. */
    token: string | undefined;
    /** When set, /metrics is served on this internal port (same HOST) instead of the main port. */
    port: number | undefined;
  };
  /** Origin rate limits for /api, per client IP and per token, in fixed windows. */
  rateLimit: {
    enabled: boolean;
    windowSeconds: number;
    /** Requests per window for each route group. */
    limits: { default: number; auth: number; uploads: number };
  };
  log: { level: RawEnv['LOG_LEVEL']; pretty: boolean };
}
