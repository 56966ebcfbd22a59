// Builds the origin's dependencies from the environment: config → logger → databases → kv.
// Shared by the Node entry, the Deno entry and the migrate command.
import { hostname } from 'node:os';
import type { Config } from '../config/index.ts';
import { createChangeFeed } from '../db/change-feed.ts';
import { createDatabases, DatabaseStartupError } from '../db/index.ts';
import { migrateAppDatabase } from '../db/migrate.ts';
import type { AppDependencies } from '../deps.ts';
import { createAlertsService } from '../features/alerts/alerts.service.ts';
import { createLocalFileStore } from '../features/files/file-store.ts';
import { createFilesService } from '../features/files/files.service.ts';
import { createMirrorWorker } from '../features/files/mirror.ts';
import { createDriveMirror } from '../features/files/mirror-drive.ts';
import { createJobsService } from '../features/jobs/jobs.service.ts';
import { createSecurityEvents } from '../features/security/security-events.ts';
import { ensureBootstrapAdmin } from '../features/users/users.service.ts';
import { createPageCache } from '../http/page-cache.ts';
import { createJobRegistry, type JobRegistry } from '../job-functions/registry.ts';
import { createKeyValueStore, RedisStartupError } from '../kv/index.ts';
import type { Logger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { maskSecretsInText } from '../observability/redact.ts';
import { createScheduler } from '../scheduler/index.ts';
import { createSecretBox } from '../secrets/secret-box.ts';
import { storedSecretsProblem } from '../secrets/stored-secrets.ts';
import { StartupRefused } from './startup-lines.ts';

// Read before the app is loaded (src/entry/node.ts), so they live in small modules of their own.
export { loadConfig } from './load-config.ts';
export { StartupRefused } from './startup-lines.ts';

export async function buildDependencies(config: Config, logger: Logger): Promise<AppDependencies> {
  let db: Awaited<ReturnType<typeof createDatabases>>;
  try {
    db = await createDatabases(config, logger);
  } catch (error) {
    if (error instanceof DatabaseStartupError) throw new StartupRefused(`startup error: ${error.message}`);
    throw error;
  }
  if (config.db.migrateOnStart) {
    try {
      await migrateAppDatabase(db.app, { logger });
    } catch (error) {
      if (!config.startup.withoutPostgres) {
        await db.close();
        throw new StartupRefused(
          `startup error: DB_APP_URL: migration failed: ${maskSecretsInText((error as Error).message)}`,
        );
      }
      logger.warn({ err: error }, 'migration failed; starting anyway (STARTUP_WITHOUT_POSTGRES=true)');
    }
  }
  // Stored secrets nobody can open would fail every run that needs them: production refuses at start instead.
  if (config.isProduction) {
    const problem = await storedSecretsProblem(db.app, config.encryption);
    if (problem) {
      await db.close();
      throw new StartupRefused(problem);
    }
  }
  // The admin from ADMIN_USERNAME/ADMIN_PASSWORD exists with that password (created or brought in sync).
  try {
    const outcome = await ensureBootstrapAdmin(db.app.drizzle, config.auth);
    if (outcome !== 'unchanged') {
      // Names the variables, never the password: the operator knows where to change it.
      logger.info(
        { username: config.auth.adminUsername, outcome },
        `bootstrap admin "${config.auth.adminUsername}" ${outcome}: its password comes from ADMIN_PASSWORD (the name from ADMIN_USERNAME); to change it, set ADMIN_PASSWORD and restart`,
      );
    }
  } catch (error) {
    if (!config.startup.withoutPostgres) {
      await db.close();
      throw new StartupRefused(
        `startup error: cannot create the bootstrap admin: ${maskSecretsInText((error as Error).message)}`,
      );
    }
    logger.warn(
      { err: error },
      'bootstrap admin not ensured; starting anyway (STARTUP_WITHOUT_POSTGRES=true)',
    );
  }
  let kv: Awaited<ReturnType<typeof createKeyValueStore>>;
  try {
    kv = await createKeyValueStore(config, logger);
  } catch (error) {
    await db.close();
    if (error instanceof RedisStartupError) throw new StartupRefused(`startup error: ${error.message}`);
    throw error;
  }
  return assembleDependencies({
    config,
    db,
    kv,
    logger,
    replicaId: `${hostname()}-${process.pid}`,
    files: createLocalFileStore(config.files.baseDir),
    metrics: createMetrics({ processMetrics: true }),
    pages: createPageCache(await createChangeFeed(db.app, logger)),
  });
}

/** What the entry opened (connections, stores) and hands to the services. */
export type Infrastructure = Pick<
  AppDependencies,
  'config' | 'db' | 'kv' | 'logger' | 'replicaId' | 'files' | 'metrics' | 'pages'
> & {
  /** The job functions; the built-in ones when absent. */
  registry?: JobRegistry;
};

/**
 * Builds every service once, from the infrastructure: the one way dependencies are made (the entries and
 * the test support call it, so tests run against services built as production builds them). The scheduler
 * receives what it needs (alerts are its outcome hooks); it is not started here.
 */
export function assembleDependencies(infra: Infrastructure): AppDependencies {
  const { config, db, kv, logger, replicaId, files, metrics } = infra;
  const registry = infra.registry ?? createJobRegistry();
  const secrets = createSecretBox(config.encryption);
  const alerts = createAlertsService({ db: db.app, config, logger, secrets });
  const scheduler = config.scheduler.enabled
    ? createScheduler({
        db: db.app,
        legacyDb: db.legacy,
        kv,
        files,
        config,
        logger,
        registry,
        replicaId,
        secrets,
        outcomes: alerts.hooks,
        observer: metrics.scheduler,
      })
    : undefined;
  const jobs = createJobsService({ db: db.app, registry, poke: scheduler?.poke, secrets });
  const mirror = config.gdrive
    ? createMirrorWorker({
        db: db.app,
        store: files,
        mirror: createDriveMirror(config.gdrive, config.isProduction),
        logger,
        retryBaseSeconds: config.gdrive.retryBaseSeconds,
        pollSeconds: config.gdrive.pollSeconds,
      })
    : undefined;
  return {
    config,
    db,
    kv,
    logger,
    replicaId,
    startedAt: new Date(),
    files,
    mirror,
    uploads: createFilesService({ db: db.app, store: files, limits: config.files, mirror }),
    metrics,
    scheduler,
    jobs,
    alerts,
    security: createSecurityEvents({ config, metrics, alerts, logger }),
    pages: infra.pages,
  };
}
