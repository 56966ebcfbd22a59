// The scheduler engine. Every replica arms one timer per enabled job; a timer firing is only a wake-up:
// the tick is claimed by inserting job_runs(job_id, scheduled_for) with ON CONFLICT DO NOTHING, under the
// job row lock, and only the winner runs it. Leases, retries, catch-up of missed ticks and queued runs are
// all decided from committed rows, so any replica can take over from any other.
import { EventEmitter } from 'node:events';
import type { Cron } from 'croner';
import type { Config } from '../config/index.ts';
import type { LegacyDatabase, SqlClient, SqlExecutor } from '../db/index.ts';
import type { FileStore } from '../features/files/file-store.ts';
import type { JobRegistry } from '../job-functions/registry.ts';
import type { JobFunction } from '../job-functions/types.ts';
import type { KeyValueStore } from '../kv/index.ts';
import type { Logger } from '../observability/logger.ts';
import { openSecrets } from '../secrets/schema-secrets.ts';
import { createSecretBox, type SecretBox } from '../secrets/secret-box.ts';
import { boundError, boundOutput, type RunError } from './bounded.ts';
import { firesBetween, nextFire, parseCron } from './cron.ts';
import type { RunOutcomeHooks } from './outcome-hooks.ts';
import {
  type MisfirePolicy,
  type OverlapPolicy,
  overlapDecision,
  planMisfires,
  retryDelayMs,
} from './policies.ts';

/** NOTIFY channel: payload `job:<id>` (a job row changed), `jobs` (reload all) or `run` (a run was queued). */
export const SCHEDULER_CHANNEL = 'app_scheduler';
/** Ticks enumerated per catch-up pass; a longer outage is worked through over several passes. */
const CATCHUP_BATCH = 1_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SchedulerOptions {
  db: SqlClient;
  legacyDb: LegacyDatabase | undefined;
  kv: KeyValueStore;
  files: FileStore;
  config: Config;
  logger: Logger;
  registry: JobRegistry;
  replicaId: string;
  leaseMs?: number;
  heartbeatMs?: number;
  pollMs?: number;
  shutdownTimeoutMs?: number;
  maxConcurrentRuns?: number;
  /** Ticks younger than this are left to the live timers before the sweep treats them as missed. */
  catchupMarginMs?: number;
  /** Opens secret arguments for the run (and only there); built from config.encryption when absent. */
  secrets?: SecretBox;
  /** Told about failures (in their transaction), successes and every poll sweep: the alerts service. */
  outcomes?: RunOutcomeHooks;
  /** Told about runs as this replica records them (metrics); never reads the database. */
  observer?: SchedulerObserver;
}

export interface SchedulerObserver {
  /** A scheduled or catch-up run started here; lag is its start minus its scheduled_for. */
  runStarted?(event: { func: string; trigger: string; lagSeconds: number }): void;
  /** Rows this replica wrote with a final status (succeeded, failed, timed_out, dead, skipped, missed). */
  runRecorded?(event: { func: string; status: string; durationSeconds?: number; count?: number }): void;
}

export interface JobRowForEngine {
  id: string;
  name: string;
  func: string;
  cron: string;
  timezone: string;
  kwargs: Record<string, unknown>;
  enabled: boolean;
  archived_at: Date | null;
  version: number;
  status: string;
  overlap_policy: OverlapPolicy;
  misfire_policy: MisfirePolicy;
  misfire_grace_seconds: number;
  misfire_max_catchup: number;
  timeout_seconds: number;
  max_retries: number;
  retry_backoff_seconds: number;
  next_run_at: Date | null;
}

export interface RunRowForEngine {
  id: string;
  job_id: string;
  scheduled_for: Date;
  trigger: string;
  status: string;
  attempt: number;
}

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
  /** Asks the dispatcher to look for queued runs now (after a manual run was queued in this process). */
  poke(): void;
  /** Resolves when this replica runs nothing (tests). */
  idle(): Promise<void>;
  stats(): { armed: number; running: number };
  nextTickOf(jobId: string): Date | undefined;
}

interface ArmedJob {
  signature: string;
  cron: Cron;
  nextAt: Date | null;
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface LocalRun {
  controller: AbortController;
  done: Promise<void>;
  jobId: string;
}

interface PendingClaim {
  jobId: string;
  tick: Date;
  resolve: (outcome: ClaimOutcome) => void;
  reject: (error: unknown) => void;
}

type ClaimRow = {
  job_id: string;
  tick: string;
  active: boolean;
  run_id: string | null;
  scheduled_for: Date | string | null;
  trigger: string | null;
  attempt: number | null;
};

class RunAborted extends Error {
  constructor(
    readonly code: 'timed_out' | 'lease_lost' | 'aborted_on_shutdown',
    message: string,
  ) {
    super(message);
    this.name = 'RunAborted';
  }
}

/** postgres.js hands timestamptz back as text here, PGlite as Date: read both. */
export function asDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(value as string);
}

function normaliseJob<T extends JobRowForEngine | undefined>(row: T): T {
  if (row) {
    row.next_run_at = asDate(row.next_run_at);
    row.archived_at = asDate(row.archived_at);
  }
  return row;
}

const JOB_COLUMNS = `id, name, func, cron, timezone, kwargs, enabled, archived_at, version, status, overlap_policy,
  misfire_policy, misfire_grace_seconds, misfire_max_catchup, timeout_seconds, max_retries, retry_backoff_seconds,
  next_run_at`;

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { db, registry, replicaId } = options;
  const log = options.logger.child({ component: 'scheduler', replica: replicaId });
  const leaseMs = options.leaseMs ?? options.config.scheduler.leaseMs;
  const heartbeatMs = options.heartbeatMs ?? options.config.scheduler.heartbeatMs;
  const pollMs = options.pollMs ?? options.config.scheduler.pollMs;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? options.config.shutdownTimeoutMs;
  const maxConcurrent = options.maxConcurrentRuns ?? options.config.scheduler.maxConcurrentRuns;
  const catchupMarginMs = options.catchupMarginMs ?? 2_000;
  const leaseInterval = `${leaseMs} milliseconds`;
  const secrets = options.secrets ?? createSecretBox(options.config.encryption);

  const events = new EventEmitter();
  events.setMaxListeners(0);
  // An observer that throws must never break a claim or a run.
  const observe = (report: (observer: SchedulerObserver) => void) => {
    if (!options.observer) return;
    try {
      report(options.observer);
    } catch (error) {
      log.warn({ err: error }, 'scheduler observer failed');
    }
  };
  const armed = new Map<string, ArmedJob>();
  const running = new Map<string, LocalRun>();
  const cronCache = new Map<string, Cron>();
  let started = false;
  let stopping = false;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let unlisten: (() => Promise<void>) | undefined;
  let fingerprint: string | undefined;
  let dispatching: Promise<number> | undefined;
  let dispatchAgain = false;
  let pollBusy = false;
  let pendingClaims: PendingClaim[] = [];
  const claimsInFlight = new Set<Promise<ClaimOutcome>>();
  let claimFlushScheduled = false;

  const registeredKeys = () => registry.list().map((fn) => fn.key);

  function cronFor(expr: string, timezone: string): Cron | undefined {
    const key = `${timezone}|${expr}`;
    let cron = cronCache.get(key);
    if (!cron) {
      const parsed = parseCron(expr, timezone);
      if (!parsed.ok) return undefined;
      cron = parsed.cron;
      if (cronCache.size > 20_000) cronCache.clear();
      cronCache.set(key, cron);
    }
    return cron;
  }

  // ---- timers -------------------------------------------------------------------------------------

  function disarm(jobId: string) {
    const entry = armed.get(jobId);
    if (entry?.timer) clearTimeout(entry.timer);
    armed.delete(jobId);
  }

  function schedule(jobId: string, entry: ArmedJob) {
    if (stopping || !entry.nextAt) return;
    const delay = entry.nextAt.getTime() - Date.now();
    entry.timer = setTimeout(
      () => {
        if (armed.get(jobId) !== entry || !entry.nextAt) return;
        if (entry.nextAt.getTime() > Date.now()) return schedule(jobId, entry); // long delays re-arm
        const tick = entry.nextAt;
        entry.nextAt = nextFire(entry.cron, tick);
        schedule(jobId, entry);
        claimTick(jobId, tick).catch((error) => log.error({ err: error, job_id: jobId }, 'claim failed'));
      },
      Math.min(Math.max(delay, 0), MAX_TIMER_MS),
    );
  }

  /** Arms (or keeps) the timer for a job row; `from` is the instant after which ticks belong to timers. */
  function arm(row: JobRowForEngine, from: Date) {
    const signature = `${row.cron}|${row.timezone}`;
    const existing = armed.get(row.id);
    if (existing && existing.signature === signature) return;
    disarm(row.id);
    const cron = cronFor(row.cron, row.timezone);
    if (!cron) {
      log.warn({ job_id: row.id, cron: row.cron }, 'job has an invalid cron expression; not armed');
      return;
    }
    const entry: ArmedJob = { signature, cron, nextAt: nextFire(cron, from), timer: undefined };
    armed.set(row.id, entry);
    schedule(row.id, entry);
  }

  async function applyRow(row: JobRowForEngine, from: Date) {
    const registered = registry.has(row.func);
    if (!registered && row.status !== 'unregistered' && !row.archived_at) {
      await db.query(
        `update scheduled_jobs set status = 'unregistered' where id = $1 and status <> 'unregistered'`,
        [row.id],
      );
      log.warn({ job_id: row.id, func: row.func }, 'job function is not registered in this build');
    } else if (registered && row.status === 'unregistered') {
      await db.query(`update scheduled_jobs set status = 'idle' where id = $1 and status = 'unregistered'`, [
        row.id,
      ]);
    }
    if (row.enabled && !row.archived_at && registered) arm(row, from);
    else disarm(row.id);
  }

  async function reloadJob(jobId: string) {
    const [row] = await db.query<JobRowForEngine & Record<string, unknown>>(
      `select ${JOB_COLUMNS} from scheduled_jobs where id = $1`,
      [jobId],
    );
    if (!row) return disarm(jobId);
    await applyRow(normaliseJob(row), new Date());
  }

  async function reloadAll(from = new Date()) {
    const rows = await db.query<JobRowForEngine & Record<string, unknown>>(
      `select ${JOB_COLUMNS} from scheduled_jobs where archived_at is null or id::text = any($1::text[])`,
      [[...armed.keys()]],
    );
    const seen = new Set<string>();
    const unset: { id: string; next: string }[] = [];
    for (const row of rows) {
      seen.add(row.id);
      const job = normaliseJob(row);
      await applyRow(job, from);
      // Rows written in SQL without next_run_at start from the next tick (set in one statement below).
      if (!job.next_run_at && job.enabled && !job.archived_at && armed.has(job.id)) {
        const next = armed.get(job.id)?.nextAt;
        if (next) unset.push({ id: job.id, next: next.toISOString() });
      }
    }
    if (unset.length) {
      await db.query(
        `update scheduled_jobs j set next_run_at = u.next from
           (select unnest($1::text[])::uuid as id, unnest($2::text[])::timestamptz as next) u
         where j.id = u.id and j.next_run_at is null`,
        [unset.map((u) => u.id), unset.map((u) => u.next)],
      );
    }
    for (const id of [...armed.keys()]) if (!seen.has(id)) disarm(id);
  }

  /** Cheap change detector for rows edited directly in SQL (no NOTIFY). */
  async function readFingerprint(): Promise<string> {
    const [row] = await db.query<{ fp: string | null }>(
      `select md5(coalesce(string_agg(id::text || ':' || version || ':' || enabled || ':' || cron || ':' || timezone
         || ':' || func || ':' || coalesce(archived_at::text, '') || ':' || updated_at::text, ',' order by id), '')) as fp
       from scheduled_jobs`,
    );
    return row?.fp ?? '';
  }

  // ---- claims -------------------------------------------------------------------------------------

  async function lockJob(tx: SqlExecutor, jobId: string) {
    const [job] = await tx.query<JobRowForEngine & Record<string, unknown>>(
      `select ${JOB_COLUMNS} from scheduled_jobs where id = $1 for update`,
      [jobId],
    );
    return normaliseJob(job);
  }

  async function activeCounts(tx: SqlExecutor, jobId: string) {
    const [counts] = await tx.query<{ running: number; queued: number }>(
      `select count(*) filter (where status = 'running')::int as running,
              count(*) filter (where status = 'queued')::int as queued
       from job_runs where job_id = $1 and status in ('running', 'queued')`,
      [jobId],
    );
    return counts ?? { running: 0, queued: 0 };
  }

  /** Whether every tick in [from, before) already has a row: only then may next_run_at move past them. */
  async function ticksRecorded(tx: SqlExecutor, cron: Cron, jobId: string, from: Date, before: Date) {
    const { fires, more } = firesBetween(
      cron,
      new Date(from.getTime() - 1000),
      new Date(before.getTime() - 1),
      50,
    );
    if (more) return false;
    if (fires.length === 0) return true;
    const [row] = await tx.query<{ n: number }>(
      `select count(*)::int as n from job_runs
       where job_id = $1 and trigger in ('schedule', 'catchup') and scheduled_for = any($2::text[]::timestamptz[])`,
      [jobId, fires.map((fire) => fire.toISOString())],
    );
    return (row?.n ?? 0) === fires.length;
  }

  /**
   * Step 1, one statement and no lock: insert the tick's row. The unique (job_id, scheduled_for) index
   * picks the winner; losers are done after one round trip and never queue on the job row lock. Ticks that
   * fire together on this replica are claimed in the same statement.
   * Step 2, the winner only: under the job row lock, check the tick still belongs to the current cron and
   * apply the overlap policy from freshly committed rows (each statement sees what committed before it).
   */
  function claimTick(jobId: string, tick: Date): Promise<ClaimOutcome> {
    const claim = new Promise<ClaimOutcome>((resolve, reject) => {
      pendingClaims.push({ jobId, tick, resolve, reject });
      if (!claimFlushScheduled) {
        claimFlushScheduled = true;
        setImmediate(() => void flushClaims());
      }
    });
    // Shutdown waits for claims in flight, so a run claimed at the last moment is run and recorded too.
    claimsInFlight.add(claim);
    const forget = () => claimsInFlight.delete(claim);
    claim.then(forget, forget);
    return claim;
  }

  async function flushClaims() {
    claimFlushScheduled = false;
    const batch = pendingClaims;
    pendingClaims = [];
    const groups = new Map<string, PendingClaim[]>();
    for (const claim of batch) {
      const key = `${claim.jobId}|${claim.tick.toISOString()}`;
      const group = groups.get(key);
      if (group) group.push(claim);
      else groups.set(key, [claim]);
    }
    const firsts = [...groups.values()].map((group) => group[0]!);
    let rows: ClaimRow[];
    try {
      rows = await db.query<ClaimRow>(
        `with req as (
           select * from unnest($1::text[], $2::text[]) as r(job_id, tick)
         ), job as (
           select j.id, r.tick, (j.enabled and j.archived_at is null) as active
           from req r join scheduled_jobs j on j.id::text = r.job_id
         ), claimed as (
           insert into job_runs (job_id, scheduled_for, trigger, status, attempt, replica_id, started_at,
             heartbeat_at, lease_expires_at)
           select id, tick::timestamptz, 'schedule', 'running', 1, $3, clock_timestamp(), now(), now() + $4::interval
           from job where active
           on conflict (job_id, scheduled_for) where trigger in ('schedule', 'catchup') do nothing
           returning id, job_id, scheduled_for, trigger, status, attempt
         )
         select job.id::text as job_id, job.tick, job.active, claimed.id as run_id, claimed.scheduled_for,
           claimed.trigger, claimed.attempt
         from job left join claimed on claimed.job_id = job.id and claimed.scheduled_for = job.tick::timestamptz`,
        [
          firsts.map((claim) => claim.jobId),
          firsts.map((claim) => claim.tick.toISOString()),
          replicaId,
          leaseInterval,
        ],
      );
    } catch (error) {
      for (const claim of batch) claim.reject(error);
      return;
    }
    const byKey = new Map(rows.map((row) => [`${row.job_id}|${row.tick}`, row]));
    for (const [key, group] of groups) {
      const [first, ...duplicates] = group;
      for (const duplicate of duplicates) duplicate.resolve('lost');
      const row = byKey.get(key);
      if (!row?.active) first!.resolve('inactive');
      else if (!row.run_id) first!.resolve('lost');
      else {
        const inserted: RunRowForEngine = {
          id: row.run_id,
          job_id: first!.jobId,
          scheduled_for: asDate(row.scheduled_for)!,
          trigger: row.trigger ?? 'schedule',
          status: 'running',
          attempt: row.attempt ?? 1,
        };
        decideClaim(first!.jobId, first!.tick, inserted).then(first!.resolve, first!.reject);
      }
    }
  }

  async function decideClaim(jobId: string, tick: Date, inserted: RunRowForEngine): Promise<ClaimOutcome> {
    const result = await db.transaction(async (tx) => {
      const job = await lockJob(tx, jobId);
      const cron = job ? cronFor(job.cron, job.timezone) : undefined;
      const inactive = !job?.enabled || job.archived_at || !registry.has(job.func);
      // A timer armed from an older cron may still fire once; only ticks of the current cron count.
      const stale = !cron || nextFire(cron, new Date(tick.getTime() - 1000))?.getTime() !== tick.getTime();
      if (inactive || stale || !job || !cron) {
        // Not a tick of this job (any more): the claim row is withdrawn, it never was a run.
        await tx.query('delete from job_runs where id = $1', [inserted.id]);
        return { outcome: inactive ? ('inactive' as const) : ('stale' as const) };
      }
      const [counts] = await tx.query<{ running: number; queued: number }>(
        `select count(*) filter (where status = 'running')::int as running,
                count(*) filter (where status = 'queued')::int as queued
         from job_runs where job_id = $1 and status in ('running', 'queued') and id <> $2`,
        [jobId, inserted.id],
      );
      const status = overlapDecision(job.overlap_policy, counts?.running ?? 0, counts?.queued ?? 0);
      const next = nextFire(cron, tick);
      const advance =
        !job.next_run_at ||
        job.next_run_at.getTime() === tick.getTime() ||
        (job.next_run_at.getTime() < tick.getTime() &&
          (await ticksRecorded(tx, cron, jobId, job.next_run_at, tick)));
      await tx.query(
        `with run as (
           update job_runs set
             status = $3::text,
             started_at = case when $3::text = 'running' then started_at end,
             lease_expires_at = case when $3::text = 'running' then lease_expires_at end,
             heartbeat_at = case when $3::text = 'running' then heartbeat_at end,
             replica_id = case when $3::text = 'queued' then null else replica_id end,
             not_before = case when $3::text = 'queued' then now() end,
             finished_at = case when $3::text = 'skipped' then now() end,
             note = case when $3::text = 'skipped'
               then 'overlap policy ' || $6::text || ': a previous run was still running' end
           where id = $2 returning id
         )
         update scheduled_jobs set
           next_run_at = case when $4::boolean then $5::timestamptz else next_run_at end,
           status = case when $3::text = 'running' and status <> 'unregistered' then 'running' else status end,
           last_run_at = case when $3::text = 'running' then now() else last_run_at end
         where id = $1 and exists (select 1 from run)`,
        [jobId, inserted.id, status, advance, next?.toISOString() ?? null, job.overlap_policy],
      );
      return { outcome: status, job };
    });
    if (result.outcome === 'running' && 'job' in result && result.job) startLocalRun(result.job, inserted);
    if (result.outcome === 'skipped' && 'job' in result && result.job) {
      const func = result.job.func;
      observe((o) => o.runRecorded?.({ func, status: 'skipped' }));
    }
    return result.outcome;
  }

  // ---- running ------------------------------------------------------------------------------------

  function startLocalRun(job: JobRowForEngine, run: RunRowForEngine) {
    if (run.trigger === 'schedule' || run.trigger === 'catchup') {
      const lagSeconds = (Date.now() - asDate(run.scheduled_for)!.getTime()) / 1000;
      observe((o) => o.runStarted?.({ func: job.func, trigger: run.trigger, lagSeconds }));
    }
    const controller = new AbortController();
    const done = executeRun(job, run, controller)
      .catch((error) => log.error({ err: error, run_id: run.id }, 'run bookkeeping failed'))
      .finally(() => {
        running.delete(run.id);
        if (!stopping) kickDispatch();
      });
    running.set(run.id, { controller, done, jobId: job.id });
  }

  async function executeRun(job: JobRowForEngine, run: RunRowForEngine, controller: AbortController) {
    const runLog = log.child({ job_id: job.id, job: job.name, run_id: run.id, attempt: run.attempt });
    const started = performance.now();
    const heartbeat = setInterval(() => {
      db.query(
        `update job_runs set lease_expires_at = now() + $3::interval, heartbeat_at = now()
         where id = $1 and status = 'running' and replica_id = $2 returning id`,
        [run.id, replicaId, leaseInterval],
      )
        .then((rows) => {
          if (rows.length === 0 && !controller.signal.aborted) {
            controller.abort(
              new RunAborted('lease_lost', 'another replica took this run over (lease expired)'),
            );
          }
        })
        .catch((error) => runLog.warn({ err: error }, 'lease renewal failed'));
    }, heartbeatMs);
    const timeout = setTimeout(
      () => controller.abort(new RunAborted('timed_out', `timed out after ${job.timeout_seconds} s`)),
      job.timeout_seconds * 1000,
    );

    let status: 'succeeded' | 'failed' | 'timed_out' = 'succeeded';
    let output: unknown = null;
    let error: RunError | null = null;
    try {
      const fn = registry.get(job.func) as JobFunction | undefined;
      if (!fn)
        throw Object.assign(new Error(`job function ${job.func} is not registered`), {
          code: 'unregistered',
        });
      let kwargs: unknown;
      try {
        kwargs = openSecrets(fn.argsSchema, job.kwargs ?? {}, secrets);
      } catch (cause) {
        // The message names the missing key id or says decryption failed; it never holds a value.
        throw Object.assign(new Error(`secret arguments cannot be opened: ${(cause as Error).message}`), {
          code: 'invalid_args',
        });
      }
      const args = fn.argsSchema.safeParse(kwargs);
      if (!args.success) {
        throw Object.assign(new Error(`arguments no longer match ${job.func}: ${args.error.message}`), {
          code: 'invalid_args',
        });
      }
      const aborted = new Promise<never>((_, reject) => {
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      });
      aborted.catch(() => {});
      output = boundOutput(
        await Promise.race([
          fn.run(
            {
              signal: controller.signal,
              logger: runLog,
              appDb: db,
              legacyDb: options.legacyDb,
              kv: options.kv,
              files: options.files,
              config: options.config,
              runId: run.id,
              jobId: job.id,
              jobName: job.name,
              scheduledFor: asDate(run.scheduled_for)!,
              attempt: run.attempt,
            },
            args.data,
          ),
          aborted,
        ]),
      );
    } catch (caught) {
      if (caught instanceof RunAborted) {
        status = caught.code === 'timed_out' ? 'timed_out' : 'failed';
        error = boundError(caught, caught.code);
      } else {
        status = 'failed';
        error = boundError(caught);
        const attached = (caught as { output?: unknown })?.output;
        if (attached !== undefined) output = boundOutput(attached);
      }
    } finally {
      clearInterval(heartbeat);
      clearTimeout(timeout);
    }
    if (error?.code === 'lease_lost') {
      runLog.warn('run abandoned: its lease was taken over by another replica');
      return;
    }
    const durationMs = Math.round(performance.now() - started);
    const final = await finishRun(
      job.id,
      run.id,
      status,
      output,
      error,
      durationMs,
      error?.code === 'invalid_args',
    );
    if (final) {
      observe((o) => o.runRecorded?.({ func: job.func, status: final, durationSeconds: durationMs / 1000 }));
      runLog[final === 'succeeded' ? 'info' : 'warn'](
        { status: final, duration_ms: durationMs },
        'run finished',
      );
      events.emit('run:finished', { runId: run.id, jobId: job.id, status: final } satisfies RunFinishedEvent);
    }
  }

  /** Writes the outcome (if this replica still owns the run) and queues a retry by policy. */
  async function finishRun(
    jobId: string,
    runId: string,
    status: 'succeeded' | 'failed' | 'timed_out',
    output: unknown,
    error: RunError | null,
    durationMs: number,
    noRetry: boolean,
  ): Promise<string | undefined> {
    if (status === 'succeeded') {
      // The common path in one statement: record the outcome (only if this replica still owns the run)
      // and refresh the job's status.
      const [row] = await db.query<{ id: string }>(
        `with run as (
           update job_runs set status = 'succeeded', finished_at = now(), duration_ms = $3, output = $4::jsonb,
             lease_expires_at = null
           where id = $1 and status = 'running' and replica_id = $2
           returning job_id
         )
         update scheduled_jobs j set last_success_at = now(), status = case
             when j.status = 'unregistered' then j.status
             when exists (select 1 from job_runs o where o.job_id = j.id and o.status = 'running' and o.id <> $1)
               then 'running'
             else 'succeeded' end
         from run where j.id = run.job_id
         returning j.id`,
        [runId, replicaId, durationMs, JSON.stringify(output ?? null)],
      );
      if (row && options.outcomes) {
        await options.outcomes
          .runSucceeded(jobId, runId)
          .catch((error) => log.warn({ err: error, job_id: jobId }, 'run outcome hook failed'));
      }
      return row ? 'succeeded' : undefined;
    }
    return db.transaction(async (tx) => {
      const job = await lockJob(tx, jobId);
      const [row] = await tx.query<{ attempt: number; scheduled_for: Date; trigger: string }>(
        `select attempt, scheduled_for, trigger from job_runs
         where id = $1 and status = 'running' and replica_id = $2 for update`,
        [runId, replicaId],
      );
      if (!row || !job) return undefined;
      const final = await settleFailure(tx, job, runId, row, status, noRetry);
      await tx.query(
        `update job_runs set status = $2, finished_at = now(), duration_ms = $3, output = $4::jsonb,
           error = $5::jsonb, lease_expires_at = null
         where id = $1`,
        [runId, final, durationMs, JSON.stringify(output ?? null), error ? JSON.stringify(error) : null],
      );
      await refreshJobStatus(tx, jobId, final);
      await options.outcomes?.runFailed(tx, {
        jobId,
        jobName: job.name,
        runId,
        final,
        timedOut: status === 'timed_out',
        attempt: row.attempt,
        message: error?.message ?? status,
      });
      return final;
    });
  }

  /** For a failure: queue the next attempt when retries are left (returns the status to record). */
  async function settleFailure(
    tx: SqlExecutor,
    job: JobRowForEngine,
    runId: string,
    row: { attempt: number; scheduled_for: Date; trigger: string },
    status: string,
    noRetry: boolean,
  ): Promise<string> {
    if (status === 'succeeded') return status;
    if (noRetry || row.attempt > job.max_retries) return 'dead';
    const delay = retryDelayMs(job.retry_backoff_seconds, row.attempt);
    await tx.query(
      `insert into job_runs (job_id, scheduled_for, trigger, status, attempt, retry_of, not_before, note)
       values ($1, $2, 'retry', 'queued', $3, $4, now() + $5::interval, $6)`,
      [
        job.id,
        asDate(row.scheduled_for)!.toISOString(),
        row.attempt + 1,
        runId,
        `${delay} milliseconds`,
        `retry ${row.attempt} of ${job.max_retries} after ${status}`,
      ],
    );
    return status;
  }

  async function refreshJobStatus(tx: SqlExecutor, jobId: string, final: string) {
    await tx.query(
      `update scheduled_jobs set status = case
         when status = 'unregistered' then status
         when exists (select 1 from job_runs where job_id = $1 and status = 'running') then 'running'
         else $2 end
       where id = $1`,
      [jobId, final],
    );
  }

  // ---- leases -------------------------------------------------------------------------------------

  async function sweepExpiredLeases(): Promise<number> {
    const expired = await db.query<{ id: string; job_id: string }>(
      `select id, job_id from job_runs where status = 'running' and lease_expires_at < now() limit 100`,
    );
    let marked = 0;
    for (const candidate of expired) {
      const done = await db.transaction(async (tx) => {
        const job = await lockJob(tx, candidate.job_id);
        const [row] = await tx.query<{
          attempt: number;
          scheduled_for: Date;
          trigger: string;
          replica_id: string;
        }>(
          `select attempt, scheduled_for, trigger, replica_id from job_runs
           where id = $1 and status = 'running' and lease_expires_at < now() for update`,
          [candidate.id],
        );
        if (!row || !job) return false;
        const final = await settleFailure(tx, job, candidate.id, row, 'failed', false);
        const error: RunError = {
          message: `lease expired: replica ${row.replica_id} stopped renewing it (crashed or cut off)`,
          code: 'lease_expired',
        };
        await tx.query(
          `update job_runs set status = $2, finished_at = now(), lease_expires_at = null, error = $3::jsonb,
             duration_ms = (extract(epoch from (now() - started_at)) * 1000)::int
           where id = $1`,
          [candidate.id, final, JSON.stringify(error)],
        );
        await refreshJobStatus(tx, candidate.job_id, final);
        await options.outcomes?.runFailed(tx, {
          jobId: candidate.job_id,
          jobName: job.name,
          runId: candidate.id,
          final,
          timedOut: false,
          attempt: row.attempt,
          message: error.message,
        });
        return { func: job.func, status: final };
      });
      if (done) {
        marked++;
        observe((o) => o.runRecorded?.(done));
        log.warn(
          { run_id: candidate.id, job_id: candidate.job_id },
          'expired lease: run marked and retried by policy',
        );
      }
    }
    if (marked) kickDispatch();
    return marked;
  }

  // ---- queued runs (retries, queue_one, catch-up, manual) ---------------------------------------

  async function dispatchOnce(): Promise<number> {
    const capacity = maxConcurrent - running.size;
    if (capacity <= 0 || stopping) return 0;
    const candidates = await db.query<{ id: string; job_id: string }>(
      `select r.id, r.job_id from job_runs r join scheduled_jobs j on j.id = r.job_id
       where r.status = 'queued' and coalesce(r.not_before, r.created_at) <= now()
         and j.archived_at is null and (j.enabled or r.trigger = 'manual') and j.func = any($1::text[])
       order by coalesce(r.not_before, r.created_at), r.created_at
       limit $2`,
      [registeredKeys(), capacity * 2],
    );
    let startedCount = 0;
    const busyJobs = new Set<string>();
    for (const candidate of candidates) {
      if (running.size >= maxConcurrent || stopping) break;
      if (busyJobs.has(candidate.job_id)) continue;
      const claimed = await db.transaction(async (tx) => {
        const job = await lockJob(tx, candidate.job_id);
        if (!job || job.archived_at) return undefined;
        const counts = await activeCounts(tx, candidate.job_id);
        if (job.overlap_policy !== 'allow' && counts.running > 0) return undefined;
        const [run] = await tx.query<RunRowForEngine & Record<string, unknown>>(
          `update job_runs set status = 'running', replica_id = $2, started_at = clock_timestamp(), heartbeat_at = now(),
             lease_expires_at = now() + $3::interval
           where id = $1 and status = 'queued'
           returning id, job_id, scheduled_for, trigger, status, attempt`,
          [candidate.id, replicaId, leaseInterval],
        );
        if (!run) return undefined;
        await tx.query(`update scheduled_jobs set status = 'running', last_run_at = now() where id = $1`, [
          job.id,
        ]);
        return { job, run };
      });
      if (!claimed) {
        busyJobs.add(candidate.job_id);
        continue;
      }
      if (claimed.job.overlap_policy !== 'allow') busyJobs.add(candidate.job_id);
      startLocalRun(claimed.job, claimed.run);
      startedCount++;
    }
    return startedCount;
  }

  function dispatchQueued(): Promise<number> {
    if (dispatching) {
      dispatchAgain = true;
      return dispatching;
    }
    dispatching = (async () => {
      let total = 0;
      try {
        do {
          dispatchAgain = false;
          total += await dispatchOnce();
        } while (dispatchAgain && !stopping);
      } finally {
        dispatching = undefined;
      }
      return total;
    })();
    return dispatching;
  }

  function kickDispatch() {
    dispatchQueued().catch((error) => log.error({ err: error }, 'dispatch failed'));
  }

  // ---- missed ticks -------------------------------------------------------------------------------

  async function catchUpJob(jobId: string, now: Date, marginMs: number): Promise<number> {
    let missedRecorded: { func: string; count: number } | undefined;
    const rowsWritten = await db.transaction(async (tx) => {
      const job = await lockJob(tx, jobId);
      if (!job?.enabled || job.archived_at || !registry.has(job.func)) return 0;
      const cron = cronFor(job.cron, job.timezone);
      if (!cron) return 0;
      const horizon = new Date(now.getTime() - marginMs);
      if (!job.next_run_at) {
        // A row inserted in SQL without next_run_at: start from now, never backfill.
        await tx.query('update scheduled_jobs set next_run_at = $2 where id = $1', [
          jobId,
          nextFire(cron, now)?.toISOString() ?? null,
        ]);
        return 0;
      }
      if (job.next_run_at.getTime() > horizon.getTime()) return 0;
      const from = new Date(job.next_run_at.getTime() - 1000);
      const { fires, more } = firesBetween(cron, from, horizon, CATCHUP_BATCH);
      if (fires.length === 0) {
        await tx.query('update scheduled_jobs set next_run_at = $2 where id = $1', [
          jobId,
          nextFire(cron, horizon)?.toISOString() ?? null,
        ]);
        return 0;
      }
      const existing = await tx.query<{ scheduled_for: Date }>(
        `select scheduled_for from job_runs where job_id = $1 and trigger in ('schedule', 'catchup')
           and scheduled_for between $2 and $3`,
        [jobId, fires[0]!.toISOString(), fires.at(-1)!.toISOString()],
      );
      const recorded = new Set(existing.map((row) => asDate(row.scheduled_for)!.getTime()));
      const unclaimed = fires.filter((fire) => !recorded.has(fire.getTime()));
      const plan = planMisfires(
        unclaimed,
        now,
        job.misfire_policy,
        job.misfire_grace_seconds,
        job.misfire_max_catchup,
      );
      const toRun = new Set(plan.run);
      let written = 0;
      let missed = 0;
      for (const tick of unclaimed) {
        const late = Math.round((now.getTime() - tick.getTime()) / 1000);
        const runIt = toRun.has(tick);
        const rows = await tx.query(
          `insert into job_runs (job_id, scheduled_for, trigger, status, attempt, not_before, finished_at, note)
           values ($1, $2, $3, $4, 1, case when $5::boolean then now() end, case when $5::boolean then null else now() end, $6)
           on conflict (job_id, scheduled_for) where trigger in ('schedule', 'catchup') do nothing
           returning id`,
          [
            jobId,
            tick.toISOString(),
            runIt ? 'catchup' : 'schedule',
            runIt ? 'queued' : 'missed',
            runIt,
            runIt
              ? `catch-up of a tick no replica claimed (late by ${late} s; misfire policy ${job.misfire_policy})`
              : `missed: no replica claimed this tick (late by ${late} s; misfire policy ${job.misfire_policy}, grace ${job.misfire_grace_seconds} s)`,
          ],
        );
        written += rows.length;
        if (!runIt) missed += rows.length;
      }
      const resumeAfter = more ? fires.at(-1)! : horizon;
      await tx.query('update scheduled_jobs set next_run_at = $2 where id = $1', [
        jobId,
        nextFire(cron, resumeAfter)?.toISOString() ?? null,
      ]);
      if (missed) missedRecorded = { func: job.func, count: missed };
      if (written) {
        log.info(
          { job_id: jobId, missed: plan.missed.length, catchup: plan.run.length, policy: job.misfire_policy },
          'missed ticks recorded',
        );
      }
      return written;
    });
    // Reported once the rows are committed.
    if (missedRecorded) {
      const { func, count } = missedRecorded;
      observe((o) => o.runRecorded?.({ func, status: 'missed', count }));
    }
    return rowsWritten;
  }

  async function catchUp(now = new Date(), marginMs = catchupMarginMs): Promise<number> {
    const due = await db.query<{ id: string }>(
      `select id from scheduled_jobs
       where enabled and archived_at is null and func = any($1::text[]) and next_run_at <= $2`,
      [registeredKeys(), new Date(now.getTime() - marginMs).toISOString()],
    );
    let written = 0;
    for (const { id } of due) written += await catchUpJob(id, now, marginMs);
    if (written) kickDispatch();
    return written;
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  async function poll() {
    if (pollBusy || stopping) return;
    pollBusy = true;
    try {
      const current = await readFingerprint();
      if (current !== fingerprint) {
        fingerprint = current;
        await reloadAll();
      }
      await sweepExpiredLeases();
      await catchUp();
      await dispatchQueued();
      await options.outcomes?.sweep(new Date());
    } catch (error) {
      log.warn({ err: error }, 'scheduler poll failed; retrying next interval');
    } finally {
      pollBusy = false;
    }
  }

  async function start() {
    if (started) return;
    started = true;
    stopping = false;
    unlisten = await db.listen(
      SCHEDULER_CHANNEL,
      (payload) => {
        if (stopping) return;
        if (payload.startsWith('job:')) {
          reloadJob(payload.slice(4)).catch((error) => log.warn({ err: error }, 'reload failed'));
        } else if (payload === 'run') kickDispatch();
        else reloadAll().catch((error) => log.warn({ err: error }, 'reload failed'));
      },
      () => {
        // The database was away: notifications sent meanwhile are lost, so reload and catch up now.
        if (!stopping) void poll();
      },
    );
    const startAt = new Date();
    fingerprint = await readFingerprint();
    // Ticks older than the margin belong to the catch-up (misfire policy); younger ones to the timers,
    // which are armed from that same instant, fire at once for past ticks and claim them like any replica
    // (replicas starting together must not record a tick as missed that another is about to claim).
    const boundary = new Date(startAt.getTime() - catchupMarginMs);
    await catchUp(startAt, catchupMarginMs);
    await reloadAll(boundary);
    await sweepExpiredLeases();
    kickDispatch();
    pollTimer = setInterval(() => void poll(), pollMs);
    log.info({ armed: armed.size, lease_ms: leaseMs, poll_ms: pollMs }, 'scheduler started');
  }

  async function stop() {
    if (!started || stopping) return;
    stopping = true;
    if (pollTimer) clearInterval(pollTimer);
    for (const id of [...armed.keys()]) disarm(id);
    await unlisten?.().catch(() => {});
    await Promise.allSettled([...claimsInFlight]);
    await dispatching?.catch(() => {});
    const inFlight = [...running.values()];
    if (inFlight.length) {
      log.info({ running: inFlight.length, timeout_ms: shutdownTimeoutMs }, 'waiting for running jobs');
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = await Promise.race([
        Promise.all(inFlight.map((run) => run.done)).then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), shutdownTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        for (const run of running.values()) {
          run.controller.abort(new RunAborted('aborted_on_shutdown', 'aborted: the replica shut down'));
        }
        await Promise.all([...running.values()].map((run) => run.done));
      }
    }
    started = false;
    log.info('scheduler stopped');
  }

  return {
    replicaId,
    events,
    start,
    stop,
    claimTick,
    catchUp,
    dispatchQueued,
    sweepExpiredLeases,
    reloadJob,
    reloadAll: () => reloadAll(),
    poke: kickDispatch,
    async idle() {
      while (running.size > 0 || dispatching) {
        await Promise.all([...running.values()].map((run) => run.done));
        await dispatching?.catch(() => {});
      }
    },
    stats: () => ({ armed: armed.size, running: running.size }),
    nextTickOf: (jobId) => armed.get(jobId)?.nextAt ?? undefined,
  };
}
