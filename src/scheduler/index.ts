// Builds the scheduler and the jobs service from the origin's parts (not started: the entry starts it
// after migrations and stops it first on shutdown).
import type { Config } from '../config/index.ts';
import type { Databases } from '../db/index.ts';
import { createVolumeFileStore } from '../jobs/file-store.ts';
import { createJobRegistry, type JobRegistry } from '../jobs/registry.ts';
import type { KeyValueStore } from '../kv/index.ts';
import type { Logger } from '../observability/logger.ts';
import { createJobsService, type JobsService } from '../services/jobs/jobs.service.ts';
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
  logger: Logger;
  replicaId: string;
  registry?: JobRegistry;
  /** Run outcomes for metrics. */
  observer?: SchedulerObserver;
}

export function buildScheduler(parts: SchedulerParts): {
  scheduler: Scheduler | undefined;
  jobs: JobsService;
} {
  const registry = parts.registry ?? createJobRegistry();
  const scheduler = parts.config.scheduler.enabled
    ? createScheduler({
        db: parts.db.app,
        legacyDb: parts.db.legacy,
        kv: parts.kv,
        files: createVolumeFileStore(parts.config.files.baseDir),
        config: parts.config,
        logger: parts.logger,
        registry,
        replicaId: parts.replicaId,
        observer: parts.observer,
      })
    : undefined;
  const jobs = createJobsService({ db: parts.db.app, registry, poke: scheduler?.poke });
  return { scheduler, jobs };
}
