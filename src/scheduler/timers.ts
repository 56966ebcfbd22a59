// One croner-computed timer per enabled job on every replica. A timer firing is only a wake-up: it hands the
// tick to claim, which decides in Postgres whether this replica runs it.
import type { Claims } from './claim.ts';
import type { ArmedJob, EngineContext } from './context.ts';
import { nextFire } from './cron.ts';
import * as sql from './sql/index.ts';

/** setTimeout's ceiling (about 24.8 days): longer delays wake up early and re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * Timers are set this much early. A timeout wakes on the event loop's millisecond clock (late by up to a
 * millisecond or more, or early when the loop's cached time was stale); the last stretch is waited out on the
 * loop itself (setImmediate), so the claim goes out in the first turn at or after the tick.
 */
const EARLY_MS = 3;

export interface Timers {
  /** Re-reads one job row and arms, re-arms or disarms its timer. */
  reloadJob(jobId: string): Promise<void>;
  /** Re-reads every job row; `from` is the instant after which ticks belong to the timers. */
  reloadAll(from?: Date): Promise<void>;
  disarmAll(): void;
}

export function createTimers(ctx: EngineContext, claims: Claims): Timers {
  const { state, options } = ctx;
  const { db, registry } = options;

  function disarm(jobId: string) {
    const entry = state.armed.get(jobId);
    if (entry?.timer) clearTimeout(entry.timer);
    state.armed.delete(jobId);
  }

  function schedule(jobId: string, entry: ArmedJob) {
    if (state.stopping || !entry.nextAt) return;
    const delay = entry.nextAt.getTime() - Date.now() - EARLY_MS;
    entry.timer = setTimeout(() => fireWhenDue(jobId, entry), Math.min(Math.max(delay, 0), MAX_TIMER_MS));
  }

  /** The timer woke a little early: the last milliseconds are waited out turn by turn, then the tick is claimed. */
  function fireWhenDue(jobId: string, entry: ArmedJob) {
    if (state.armed.get(jobId) !== entry || !entry.nextAt || state.stopping) return;
    const remaining = entry.nextAt.getTime() - Date.now();
    if (remaining > EARLY_MS) return schedule(jobId, entry);
    if (remaining > 0) {
      setImmediate(() => fireWhenDue(jobId, entry));
      return;
    }
    const tick = entry.nextAt;
    claims
      .claimTick(jobId, tick)
      .catch((error) => ctx.log.error({ err: error, job_id: jobId }, 'claim failed'));
    // The next tick is computed a millisecond later, once the claim insert of every job firing now has been
    // written to the database (croner's computation costs tens of microseconds per job).
    setTimeout(() => {
      if (state.armed.get(jobId) !== entry || entry.nextAt !== tick) return;
      entry.nextAt = nextFire(entry.cron, tick);
      schedule(jobId, entry);
    }, 1);
  }

  /** Arms (or keeps) the timer for a job row; `from` is the instant after which ticks belong to timers. */
  function arm(job: sql.EngineJob, from: Date) {
    const signature = `${job.cron}|${job.timezone}`;
    const existing = state.armed.get(job.id);
    if (existing && existing.signature === signature) return;
    disarm(job.id);
    const cron = ctx.cronFor(job.cron, job.timezone);
    if (!cron) {
      ctx.log.warn({ job_id: job.id, cron: job.cron }, 'job has an invalid cron expression; not armed');
      return;
    }
    const entry: ArmedJob = { signature, cron, nextAt: nextFire(cron, from), timer: undefined };
    state.armed.set(job.id, entry);
    schedule(job.id, entry);
  }

  /** Arms or disarms by the row, and keeps its `unregistered` status true for this build. */
  async function apply(job: sql.EngineJob, from: Date) {
    const registered = registry.has(job.func);
    if (!registered && job.status !== 'unregistered' && !job.archivedAt) {
      await sql.markUnregistered(db, job.id);
      ctx.log.warn({ job_id: job.id, func: job.func }, 'job function is not registered in this build');
    } else if (registered && job.status === 'unregistered') {
      await sql.markRegistered(db, job.id);
    }
    if (job.enabled && !job.archivedAt && registered) arm(job, from);
    else disarm(job.id);
  }

  async function reloadJob(jobId: string) {
    const job = await sql.selectJob(db, jobId);
    if (!job) return disarm(jobId);
    await apply(job, new Date());
  }

  async function reloadAll(from = new Date()) {
    const jobs = await sql.selectJobsToArm(db, [...state.armed.keys()]);
    const seen = new Set<string>();
    const unset: { id: string; next: Date }[] = [];
    for (const job of jobs) {
      seen.add(job.id);
      await apply(job, from);
      // Rows written in SQL without next_run_at start from the next tick.
      const next = state.armed.get(job.id)?.nextAt;
      if (!job.nextRunAt && job.enabled && !job.archivedAt && next) unset.push({ id: job.id, next });
    }
    await sql.fillMissingNextRuns(db, unset);
    for (const id of [...state.armed.keys()]) if (!seen.has(id)) disarm(id);
  }

  function disarmAll() {
    for (const id of [...state.armed.keys()]) disarm(id);
  }

  return { reloadJob, reloadAll, disarmAll };
}
