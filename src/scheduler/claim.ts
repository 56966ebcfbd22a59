// Claiming a tick, in two steps.
// Step 1, one statement and no lock: insert the tick's row. The unique (job_id, scheduled_for) index picks the
// winner; losers are done after one round trip and never queue on the job row lock. Ticks that fire together
// on this replica are claimed in the same statement.
// Step 2, the winner only: under the job row lock, check the tick still belongs to the current cron and apply
// the overlap policy from freshly committed rows (each statement sees what committed before it).
import type { Cron } from 'croner';
import type { SqlExecutor } from '../db/index.ts';
import type { EngineContext, PendingClaim } from './context.ts';
import { firesBetween, nextFire } from './cron.ts';
import { overlapDecision } from './policies.ts';
import type { Runner } from './runner.ts';
import * as sql from './sql/index.ts';
import type { ClaimOutcome } from './types.ts';

export interface Claims {
  claimTick(jobId: string, tick: Date): Promise<ClaimOutcome>;
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
  return (await sql.countRecordedTicks(tx, jobId, fires)) === fires.length;
}

export function createClaims(ctx: EngineContext, runner: Runner): Claims {
  const { state, options } = ctx;
  const { db, registry } = options;

  function claimTick(jobId: string, tick: Date): Promise<ClaimOutcome> {
    const claim = new Promise<ClaimOutcome>((resolve, reject) => {
      state.pendingClaims.push({ jobId, tick, resolve, reject });
      if (!state.claimFlushScheduled) {
        state.claimFlushScheduled = true;
        setImmediate(() => void flushClaims());
      }
    });
    state.claimsInFlight.add(claim);
    const forget = () => state.claimsInFlight.delete(claim);
    claim.then(forget, forget);
    return claim;
  }

  async function flushClaims() {
    state.claimFlushScheduled = false;
    const batch = state.pendingClaims;
    state.pendingClaims = [];
    const groups = new Map<string, PendingClaim[]>();
    for (const claim of batch) {
      const key = `${claim.jobId}|${claim.tick.toISOString()}`;
      const group = groups.get(key);
      if (group) group.push(claim);
      else groups.set(key, [claim]);
    }
    const firsts = [...groups.values()].map((group) => group[0]!);
    let rows: sql.ClaimRow[];
    try {
      rows = await sql.insertClaims(db, firsts, options.replicaId, ctx.leaseInterval);
    } catch (error) {
      for (const claim of batch) claim.reject(error);
      return;
    }
    const byKey = new Map(rows.map((row) => [`${row.jobId}|${row.tick}`, row]));
    for (const [key, group] of groups) {
      const [first, ...duplicates] = group;
      for (const duplicate of duplicates) duplicate.resolve('lost');
      const row = byKey.get(key);
      if (!row?.active) first!.resolve('inactive');
      else if (!row.run) first!.resolve('lost');
      else decide(first!.jobId, first!.tick, row.run).then(first!.resolve, first!.reject);
    }
  }

  async function decide(jobId: string, tick: Date, inserted: sql.EngineRun): Promise<ClaimOutcome> {
    const result = await db.transaction(async (tx) => {
      const job = await sql.lockJob(tx, jobId);
      const cron = job ? ctx.cronFor(job.cron, job.timezone) : undefined;
      const inactive = !job?.enabled || job.archivedAt || !registry.has(job.func);
      // A timer armed from an older cron may still fire once; only ticks of the current cron count.
      const stale = !cron || nextFire(cron, new Date(tick.getTime() - 1000))?.getTime() !== tick.getTime();
      if (inactive || stale || !job || !cron) {
        await sql.withdrawClaim(tx, inserted.id);
        return { outcome: inactive ? ('inactive' as const) : ('stale' as const) };
      }
      const counts = await sql.countActiveRuns(tx, jobId, inserted.id);
      const status = overlapDecision(job.overlapPolicy, counts.running, counts.queued);
      const advance =
        !job.nextRunAt ||
        job.nextRunAt.getTime() === tick.getTime() ||
        (job.nextRunAt.getTime() < tick.getTime() &&
          (await ticksRecorded(tx, cron, jobId, job.nextRunAt, tick)));
      await sql.applyClaimDecision(tx, {
        jobId,
        runId: inserted.id,
        status,
        advance,
        next: nextFire(cron, tick),
        overlapPolicy: job.overlapPolicy,
      });
      return { outcome: status, job };
    });
    if (result.outcome === 'running' && 'job' in result) runner.start(result.job, inserted);
    if (result.outcome === 'skipped' && 'job' in result) {
      const func = result.job.func;
      ctx.observe((o) => o.runRecorded?.({ func, status: 'skipped' }));
    }
    return result.outcome;
  }

  return { claimTick };
}
