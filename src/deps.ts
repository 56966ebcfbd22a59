// What the entries build and hand to createApp(): no module opens a connection on import. Every field is
// required; src/entry/bootstrap.ts (assembleDependencies) is the one place the services are built.
import type { Config } from './config/index.ts';
import type { Databases } from './db/index.ts';
import type { AlertsService } from './features/alerts/alerts.service.ts';
import type { FileStore } from './features/files/file-store.ts';
import type { FilesService } from './features/files/files.service.ts';
import type { MirrorWorker } from './features/files/mirror.ts';
import type { JobsService } from './features/jobs/jobs.service.ts';
import type { SecurityEvents } from './features/security/security-events.ts';
import type { PageCache } from './http/page-cache.ts';
import type { KeyValueStore } from './kv/index.ts';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';
import type { Scheduler } from './scheduler/types.ts';

export interface AppDependencies {
  config: Config;
  db: Databases;
  kv: KeyValueStore;
  logger: Logger;
  /** Identifies this origin process in run rows and logs. */
  replicaId: string;
  startedAt: Date;
  /** The upload volume (FILES_BASE_DIR). */
  files: FileStore;
  /** Copies uploads to Google Drive (GDRIVE_ENABLE); undefined without a mirror. The entry starts it. */
  mirror: MirrorWorker | undefined;
  /** Uploaded files: upload, list, read, delete, each change audited (API). */
  uploads: FilesService;
  /** The scheduler engine; undefined when SCHEDULER_ENABLED=false (the API still edits jobs). */
  scheduler: Scheduler | undefined;
  /** Jobs and runs (API and admin UI). */
  jobs: JobsService;
  /** Alert channels, deliveries and incidents (API and admin UI). */
  alerts: AlertsService;
  /** Security events: counted in the metrics, incidents through the alert channels past a threshold. */
  security: SecurityEvents;
  /** The Prometheus registry (one per origin). */
  metrics: Metrics;
  /** Serialized answers of the hot reads, dropped on every data change; without it they are built per request. */
  pages?: PageCache;
}

// c.var.deps is an AppDependencies (src/http/types.ts declares the slot; the application fills it here).
declare module './http/types.ts' {
  interface AppServices extends AppDependencies {}
}
