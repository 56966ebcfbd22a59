// What every replica does on each poll, whoever ran what: runs whose lease expired are failed (and retried by
// policy), ticks no replica claimed are caught up or recorded as missed, jobs edited in SQL without a NOTIFY
// are reloaded, and queued runs are dispatched.
import type { EngineContext } from './context.ts';
import { firesBetween, nextFire } from './cron.ts';
import { planMisfires } from './policies.ts';
import type { Runner } from './runner.ts';
import type { Settle } from './settle.ts';
import * as sql from './sql/index.ts';
import type { Timers } from './timers.ts';

/** Ticks enumerated per catch-up pass; a longer outage is worked through over several passes. */
const CATCHUP_BATCH = 1_000;

export interface Maintenance {
  sweepExpiredLeases(): Promise<number>;
  catchUp(now?: Date, marginMs?: number): Promise<number>;
  /** One pass of everything above; never two at once, errors logged and retried next interval. */
  poll(): Promise<void>;
  /** Remembers the current jobs fingerprint, so the first poll reloads only after a change. */
  markJobsSeen(): Promise<void>;
}

export function createMaintenance(
  ctx: EngineContext,
  parts: { settle: Settle; runner: Runner; timers: Timers },
): Maintenance {
  const { state, options } = ctx;
  const { db, registry } = options;
  const { settle, runner, timers } = parts;

  async function sweepExpiredLeases(): Promise<number> {
    const expired = await sql.selectExpiredLeases(db);
    let marked = 0;
    for (const candidate of expired) {
      const settled = await settle.failure(candidate.jobId, candidate.id, { kind: 'lease_expired' });
      if (settled) {
        marked++;
        ctx.observe((o) => o.runRecorded?.({ func: settled.func, status: settled.final }));
        ctx.log.warn(
          { run_id: candidate.id, job_id: candidate.jobId },
          'expired lease: run marked and retried by policy',
        );
      }
    }
    if (marked) runner.kick();
    return marked;
  }

  /** Records one job's unclaimed ticks before the horizon: catch-up runs by misfire policy, the rest missed. */
  async function catchUpJob(jobId: string, now: Date, marginMs: number): Promise<number> {
    let missedRecorded: { func: string; count: number } | undefined;
    const rowsWritten = await db.transaction(async (tx) => {
      const job = await sql.lockJob(tx, jobId);
      if (!job?.enabled || job.archivedAt || !registry.has(job.func)) return 0;
      const cron = ctx.cronFor(job.cron, job.timezone);
      if (!cron) return 0;
      const horizon = new Date(now.getTime() - marginMs);
      if (!job.nextRunAt) {
        // A row inserted in SQL without next_run_at: start from now, never backfill.
        await sql.setNextRunAt(tx, jobId, nextFire(cron, now));
        return 0;
      }
      if (job.nextRunAt.getTime() > horizon.getTime()) return 0;
      const { fires, more } = firesBetween(
        cron,
        new Date(job.nextRunAt.getTime() - 1000),
        horizon,
        CATCHUP_BATCH,
      );
      if (fires.length === 0) {
        await sql.setNextRunAt(tx, jobId, nextFire(cron, horizon));
        return 0;
      }
      const recorded = new Set(
        (await sql.selectRecordedTicks(tx, jobId, fires[0]!, fires.at(-1)!)).map((tick) => tick.getTime()),
      );
      const unclaimed = fires.filter((fire) => !recorded.has(fire.getTime()));
      const earlier =
        job.misfirePolicy !== 'skip' && unclaimed.length > 0
          ? await sql.earlierCatchup(tx, jobId, unclaimed[0]!)
          : undefined;
      const plan = planMisfires(
        unclaimed,
        now,
        job.misfirePolicy,
        job.misfireGraceSeconds,
        job.misfireMaxCatchup,
        earlier,
      );
      const toRun = new Set(plan.run);
      let written = 0;
      let missed = 0;
      for (const tick of unclaimed) {
        const late = Math.round((now.getTime() - tick.getTime()) / 1000);
        const runIt = toRun.has(tick);
        const inserted = await sql.insertMissedTick(tx, {
          jobId,
          scheduledFor: tick,
          runIt,
          note: runIt
            ? `catch-up of a tick no replica claimed (late by ${late} s; misfire policy ${job.misfirePolicy})`
            : `missed: no replica claimed this tick (late by ${late} s; misfire policy ${job.misfirePolicy}, grace ${job.misfireGraceSeconds} s)`,
        });
        written += inserted;
        if (!runIt) missed += inserted;
      }
      await sql.setNextRunAt(tx, jobId, nextFire(cron, more ? fires.at(-1)! : horizon));
      if (missed) missedRecorded = { func: job.func, count: missed };
      if (written) {
        ctx.log.info(
          { job_id: jobId, missed: plan.missed.length, catchup: plan.run.length, policy: job.misfirePolicy },
          'missed ticks recorded',
        );
      }
      return written;
    });
    // Reported once the rows are committed.
    if (missedRecorded) {
      const { func, count } = missedRecorded;
      ctx.observe((o) => o.runRecorded?.({ func, status: 'missed', count }));
    }
    return rowsWritten;
  }

  async function catchUp(now = new Date(), marginMs = ctx.catchupMarginMs): Promise<number> {
    const due = await sql.selectDueJobIds(db, ctx.registeredKeys(), new Date(now.getTime() - marginMs));
    let written = 0;
    for (const id of due) written += await catchUpJob(id, now, marginMs);
    if (written) runner.kick();
    return written;
  }

  async function markJobsSeen() {
    state.fingerprint = await sql.jobsFingerprint(db);
  }

  async function poll() {
    if (state.pollBusy || state.stopping) return;
    state.pollBusy = true;
    try {
      const current = await sql.jobsFingerprint(db);
      if (current !== state.fingerprint) {
        state.fingerprint = current;
        await timers.reloadAll();
      }
      await sweepExpiredLeases();
      await catchUp();
      await runner.dispatchQueued();
      await options.outcomes?.sweep(new Date());
    } catch (error) {
      ctx.log.warn({ err: error }, 'scheduler poll failed; retrying next interval');
    } finally {
      state.pollBusy = false;
    }
  }

  return { sweepExpiredLeases, catchUp, poll, markJobsSeen };
}
