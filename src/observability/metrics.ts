// Prometheus metrics (prom-client), one registry per origin: tests build as many apps as they like without
// sharing series. Requests are counted by the middleware in src/http/metrics.ts (served by features/health/api/metrics.ts), job runs by the scheduler's
// observer hook, and the gauges (jobs loaded, overdue jobs, pool usage, dependencies up, file volume space) are read
// when /metrics is scraped.
// The series names are the contract with docker/monitoring (Grafana dashboard, test/unit/monitoring-assets).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What the scheduler tells the metrics about runs, as this replica records them (never reads the database).
 * Declared here, where it is implemented, so infrastructure imports nothing from the scheduler (whose
 * SchedulerObserver is this type).
 */
export interface RunObserver {
  /** A scheduled or catch-up run started here; lag is its start minus its scheduled_for. */
  runStarted?(event: { func: string; trigger: string; lagSeconds: number }): void;
  /** Rows this replica wrote with a final status (succeeded, failed, timed_out, dead, skipped, missed). */
  runRecorded?(event: { func: string; status: string; durationSeconds?: number; count?: number }): void;
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop lag, GC): once per process, so only the entry asks for them. */
  processMetrics?: boolean;
}

export interface GaugeSources {
  scheduler?: { stats(): { armed: number; running: number } };
  pools: Record<string, { poolStats(): { max: number; busy: number } } | undefined>;
  /** Enabled jobs whose next tick is well in the past; undefined when the database did not answer. */
  overdueJobs: () => Promise<number | undefined>;
  /** The dependencies the health check probes (app_db, legacy_db, redis): true when one answered. */
  dependencies: () => Promise<Record<string, boolean>>;
  /** Size and free space of the file volume; undefined when its folder cannot be measured. */
  filesVolume: () => Promise<{ sizeBytes: number; availableBytes: number } | undefined>;
}

export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Counts one security event (src/features/security/security-events.ts). */
  securityEvent(event: string): void;
  /** Handed to the scheduler engine: it reports run outcomes here, nothing reads the database for them. */
  readonly scheduler: RunObserver;
  /** Refreshes the gauges from their sources, then renders the text exposition. */
  render(sources: GaugeSources): Promise<string>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const RUN_BUCKETS = [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300];

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const runs = new Counter({
    name: 'job_runs_total',
    help: 'Job runs recorded by this replica, by function and final status (succeeded, failed, timed_out, dead, skipped, missed)',
    labelNames: ['function', 'status'] as const,
    registers: [registry],
  });
  const runDuration = new Histogram({
    name: 'job_run_duration_seconds',
    help: 'Duration of job runs executed by this replica',
    labelNames: ['function', 'status'] as const,
    buckets: RUN_BUCKETS,
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'job_schedule_lag_seconds',
    help: 'Scheduled and catch-up runs: started_at minus scheduled_for',
    labelNames: ['function'] as const,
    buckets: LAG_BUCKETS,
    registers: [registry],
  });
  const jobsLoaded = new Gauge({
    name: 'scheduler_jobs_loaded',
    help: 'Enabled jobs with an armed timer on this replica',
    registers: [registry],
  });
  const runsInProgress = new Gauge({
    name: 'scheduler_runs_in_progress',
    help: 'Runs executing on this replica',
    registers: [registry],
  });
  const overdue = new Gauge({
    name: 'scheduler_jobs_overdue',
    help: 'Enabled jobs whose next_run_at is more than a minute in the past (no replica is keeping up)',
    registers: [registry],
  });
  const poolBusy = new Gauge({
    name: 'db_pool_connections_busy',
    help: 'Database connections running a query, by pool',
    labelNames: ['pool'] as const,
    registers: [registry],
  });
  const poolMax = new Gauge({
    name: 'db_pool_connections_max',
    help: 'Database pool size, by pool',
    labelNames: ['pool'] as const,
    registers: [registry],
  });

  const securityEvents = new Counter({
    name: 'security_events_total',
    help: 'Security events: login_failed, lockout, unauthorized (401), forbidden (403), revoked_token (a revoked API token presented)',
    labelNames: ['event'] as const,
    registers: [registry],
  });

  const dependencyUp = new Gauge({
    name: 'app_dependency_up',
    help: 'Whether a dependency answered its health probe at this scrape (1) or not (0): app_db, legacy_db, redis',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  const volumeSize = new Gauge({
    name: 'files_volume_size_bytes',
    help: 'Size of the file system holding FILES_BASE_DIR',
    registers: [registry],
  });
  const volumeAvailable = new Gauge({
    name: 'files_volume_available_bytes',
    help: 'Bytes of the file system holding FILES_BASE_DIR that this process can still write',
    registers: [registry],
  });

  return {
    registry,
    contentType: registry.contentType,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
    securityEvent(event) {
      securityEvents.inc({ event });
    },
    scheduler: {
      runStarted({ func, lagSeconds }) {
        lag.observe({ function: func }, Math.max(0, lagSeconds));
      },
      runRecorded({ func, status, durationSeconds, count }) {
        runs.inc({ function: func, status }, count ?? 1);
        if (durationSeconds !== undefined) runDuration.observe({ function: func, status }, durationSeconds);
      },
    },
    async render(sources) {
      const stats = sources.scheduler?.stats();
      jobsLoaded.set(stats?.armed ?? 0);
      runsInProgress.set(stats?.running ?? 0);
      for (const [pool, client] of Object.entries(sources.pools)) {
        if (!client) continue;
        const { max, busy } = client.poolStats();
        poolBusy.set({ pool }, busy);
        poolMax.set({ pool }, max);
      }
      const [overdueCount, dependencies, volume] = await Promise.all([
        sources.overdueJobs(),
        sources.dependencies(),
        sources.filesVolume(),
      ]);
      // A database that does not answer leaves no stale number behind: NaN until it answers again.
      overdue.set(overdueCount ?? Number.NaN);
      for (const [dependency, up] of Object.entries(dependencies))
        dependencyUp.set({ dependency }, up ? 1 : 0);
      if (volume) {
        volumeSize.set(volume.sizeBytes);
        volumeAvailable.set(volume.availableBytes);
      } else {
        volumeSize.reset();
        volumeAvailable.reset();
      }
      return registry.metrics();
    },
  };
}
