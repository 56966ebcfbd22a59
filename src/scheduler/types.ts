// The scheduler's public contract (what the entries, the jobs service and tests see).
import type { EventEmitter } from 'node:events';
import type { Config } from '../config/index.ts';
import type { LegacyDatabase, SqlClient } from '../db/index.ts';
import type { FileStore } from '../features/files/file-store.ts';
import type { JobRegistry } from '../job-functions/registry.ts';
import type { KeyValueStore } from '../kv/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { RunObserver } from '../observability/metrics.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { RunOutcomeHooks } from './outcome-hooks.ts';

/** NOTIFY channel: payload `job:<id>` (a job row changed), `jobs` (reload all) or `run` (a run was queued). */
export const SCHEDULER_CHANNEL = 'app_scheduler';

export interface SchedulerOptions {
  db: SqlClient;
  legacyDb: LegacyDatabase | undefined;
  kv: KeyValueStore;
  files: FileStore;
  config: Config;
  logger: Logger;
  registry: JobRegistry;
  replicaId: string;
  /** Opens secret arguments for the run (and only there). */
  secrets: SecretBox;
  leaseMs?: number;
  heartbeatMs?: number;
  pollMs?: number;
  shutdownTimeoutMs?: number;
  maxConcurrentRuns?: number;
  /** Ticks younger than this are left to the live timers before the sweep treats them as missed. */
  catchupMarginMs?: number;
  /** Told about failures (in their transaction), successes and every poll sweep: the alerts service. */
  outcomes?: RunOutcomeHooks;
  /** Told about runs as this replica records them (metrics); never reads the database. */
  observer?: SchedulerObserver;
}

/** What the engine reports about runs (metrics implement it: observability/metrics.ts declares the shape). */
export type SchedulerObserver = RunObserver;

export type ClaimOutcome = 'running' | 'queued' | 'skipped' | 'lost' | 'inactive' | 'stale';

export type RunFinishedEvent = { runId: string; jobId: string; status: string };

export interface Scheduler {
  readonly replicaId: string;
  /** Emits `run:finished` (RunFinishedEvent) after a run's final row is committed by this replica. */
  readonly events: EventEmitter;
  start(): Promise<void>;
  /** Timers stop, running jobs finish up to the shutdown timeout, then are aborted and marked. */
  stop(): Promise<void>;
  claimTick(jobId: string, tick: Date): Promise<ClaimOutcome>;
  catchUp(now?: Date, marginMs?: number): Promise<number>;
  dispatchQueued(): Promise<number>;
  sweepExpiredLeases(): Promise<number>;
  reloadJob(jobId: string): Promise<void>;
  reloadAll(): Promise<void>;
  /**
   * Asks the dispatcher to look for queued runs now (after a manual run was queued in this process). Ignored
   * unless the scheduler is started: one built but never started (or stopping) runs nothing.
   */
  poke(): void;
  /** Resolves when this replica runs nothing (tests). */
  idle(): Promise<void>;
  stats(): { armed: number; running: number };
  nextTickOf(jobId: string): Date | undefined;
}
