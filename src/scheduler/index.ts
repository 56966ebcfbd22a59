// Builds the scheduler, the jobs service and the alerts service (the engine's run-outcome hooks) from the origin's parts (not started: the entry starts it
// after migrations and stops it first on shutdown).
import type { Config } from '../config/index.ts';
import type { Databases } from '../db/index.ts';
import { type AlertsService, createAlertsService } from '../features/alerts/alerts.service.ts';
import type { FileStore } from '../features/files/file-store.ts';
import { createJobsService, type JobsService } from '../features/jobs/jobs.service.ts';
import { createJobRegistry, type JobRegistry } from '../job-functions/registry.ts';
import type { KeyValueStore } from '../kv/index.ts';
import type { Logger } from '../observability/logger.ts';
import { createSecretBox } from '../secrets/secret-box.ts';
import { createScheduler, type Scheduler, type SchedulerObserver } from './engine.ts';

export {
  createScheduler,
  SCHEDULER_CHANNEL,
  type Scheduler,
  type SchedulerObserver,
} from './engine.ts';

export interface SchedulerParts {
  config: Config;
  db: Databases;
  kv: KeyValueStore;
  /** The upload volume, shared with the files API. */
  files: FileStore;
  logger: Logger;
  replicaId: string;
  registry?: JobRegistry;
  /** Run outcomes for metrics. */
  observer?: SchedulerObserver;
}

export function buildScheduler(parts: SchedulerParts): {
  scheduler: Scheduler | undefined;
  jobs: JobsService;
  alerts: AlertsService;
} {
  const registry = parts.registry ?? createJobRegistry();
  const secrets = createSecretBox(parts.config.encryption);
  const alerts = createAlertsService({
    db: parts.db.app,
    config: parts.config,
    logger: parts.logger,
    secrets,
  });
  const scheduler = parts.config.scheduler.enabled
    ? createScheduler({
        db: parts.db.app,
        legacyDb: parts.db.legacy,
        kv: parts.kv,
        files: parts.files,
        config: parts.config,
        logger: parts.logger,
        registry,
        replicaId: parts.replicaId,
        secrets,
        outcomes: alerts.hooks,
        observer: parts.observer,
      })
    : undefined;
  const jobs = createJobsService({ db: parts.db.app, registry, poke: scheduler?.poke, secrets });
  return { scheduler, jobs, alerts };
}
