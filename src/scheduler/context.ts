// What the engine's parts share: the settings resolved once, and one explicit state object. Each field of
// the state names the part that writes it; the others only read it (stop, idle and stats read several).
import { EventEmitter } from 'node:events';
import type { Cron } from 'croner';
import type { Logger } from '../observability/logger.ts';
import { createCronCache } from './cron.ts';
import type { ClaimOutcome, SchedulerObserver, SchedulerOptions } from './types.ts';

export interface ArmedJob {
  /** cron|timezone the timer was armed for: a change re-arms it. */
  signature: string;
  cron: Cron;
  nextAt: Date | null;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface LocalRun {
  controller: AbortController;
  done: Promise<void>;
  jobId: string;
}

export interface PendingClaim {
  jobId: string;
  tick: Date;
  resolve: (outcome: ClaimOutcome) => void;
  reject: (error: unknown) => void;
}

export interface EngineState {
  /** index: start() ran and stop() has not finished. */
  started: boolean;
  /** index: stop() began; every part stops starting new work. */
  stopping: boolean;
  /** timers: one armed timer per enabled job. */
  armed: Map<string, ArmedJob>;
  /** runner: runs executing in this process, by run id (until their outcome is committed). */
  running: Map<string, LocalRun>;
  /** runner: how many of those have finished and wait for their outcome to be written (they free capacity). */
  settling: number;
  /** runner: a dispatch pass is asked for at the end of this turn of the event loop. */
  kickScheduled: boolean;
  /** claim: ticks waiting for the next batched insert, and whether that insert is scheduled. */
  pendingClaims: PendingClaim[];
  claimFlushScheduled: boolean;
  /** claim: claims not yet decided (shutdown waits for them, so a last-moment claim is run and recorded). */
  claimsInFlight: Set<Promise<ClaimOutcome>>;
  /** runner: the dispatch pass in progress, and whether another pass was asked for meanwhile. */
  dispatching: Promise<number> | undefined;
  dispatchAgain: boolean;
  /** maintenance: the poll interval, whether a poll is running, and the jobs fingerprint it last saw. */
  pollTimer: ReturnType<typeof setTimeout> | undefined;
  pollBusy: boolean;
  fingerprint: string | undefined;
  /** listener: ends the LISTEN subscription. */
  unlisten: (() => Promise<void>) | undefined;
}

export interface EngineContext {
  options: SchedulerOptions;
  log: Logger;
  events: EventEmitter;
  state: EngineState;
  leaseMs: number;
  /** The lease as a Postgres interval literal. */
  leaseInterval: string;
  heartbeatMs: number;
  pollMs: number;
  shutdownTimeoutMs: number;
  maxConcurrent: number;
  catchupMarginMs: number;
  /** Reports to the observer; an observer that throws never breaks a claim or a run. */
  observe(report: (observer: SchedulerObserver) => void): void;
  /** The parsed cron of a job (cached per expression and zone), or undefined when it does not parse. */
  cronFor(expr: string, timezone: string): Cron | undefined;
  /** Function keys this build can run. */
  registeredKeys(): string[];
}

export function createEngineContext(options: SchedulerOptions): EngineContext {
  const { config } = options;
  const log = options.logger.child({ component: 'scheduler', replica: options.replicaId });
  const leaseMs = options.leaseMs ?? config.scheduler.leaseMs;
  const events = new EventEmitter();
  events.setMaxListeners(0);
  return {
    options,
    log,
    events,
    state: {
      started: false,
      stopping: false,
      armed: new Map(),
      running: new Map(),
      settling: 0,
      kickScheduled: false,
      pendingClaims: [],
      claimFlushScheduled: false,
      claimsInFlight: new Set(),
      dispatching: undefined,
      dispatchAgain: false,
      pollTimer: undefined,
      pollBusy: false,
      fingerprint: undefined,
      unlisten: undefined,
    },
    leaseMs,
    leaseInterval: `${leaseMs} milliseconds`,
    heartbeatMs: options.heartbeatMs ?? config.scheduler.heartbeatMs,
    pollMs: options.pollMs ?? config.scheduler.pollMs,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? config.shutdownTimeoutMs,
    maxConcurrent: options.maxConcurrentRuns ?? config.scheduler.maxConcurrentRuns,
    catchupMarginMs: options.catchupMarginMs ?? 2_000,
    observe(report) {
      if (!options.observer) return;
      try {
        report(options.observer);
      } catch (error) {
        log.warn({ err: error }, 'scheduler observer failed');
      }
    },
    cronFor: createCronCache(),
    registeredKeys: () => options.registry.list().map((fn) => fn.key),
  };
}
