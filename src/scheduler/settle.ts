// How a run ends, written once: one success path (the runner) and one failure path, used both by the runner
// (the run failed or timed out here) and by the lease sweep (the replica running it stopped renewing its lease).
import type { RunError } from './bounded.ts';
import type { EngineContext } from './context.ts';
import { retryDelayMs } from './policies.ts';
import * as sql from './sql/index.ts';
import { createWriteBehind } from './write-behind.ts';

/** Successes written per statement, and tries per write before the run is left to the lease sweep. */
const SUCCESS_BATCH = 256;
const SUCCESS_WRITE_ATTEMPTS = 5;

export type RunFailure =
  /** The run ended badly on this replica (which still owns it). */
  | {
      kind: 'run';
      status: 'failed' | 'timed_out';
      output: unknown;
      error: RunError | null;
      durationMs: number;
      /** Arguments that cannot be opened or no longer fit: a retry would fail the same way. */
      noRetry: boolean;
    }
  /** No replica renews the lease any more (crashed or cut off). */
  | { kind: 'lease_expired' };

export interface Settle {
  /**
   * Records a success while this replica owns the run, then tells the outcome hooks; false if it no longer did.
   * Successes finishing in the same turn of the event loop are written in one statement (write-behind.ts);
   * this resolves once the run's row is committed, and rejects only after every retry failed (the run then
   * stays `running` with its lease, which the lease sweep recovers).
   */
  success(jobId: string, runId: string, outcome: { durationMs: number; output: unknown }): Promise<boolean>;
  /**
   * In one transaction under the job lock: queue the next attempt when retries are left, record the final row,
   * refresh the job's status and tell the outcome hooks (whatever they write commits with it). Undefined when
   * the run is not (any more) in a state this failure applies to.
   */
  failure(
    jobId: string,
    runId: string,
    failure: RunFailure,
  ): Promise<{ final: string; func: string } | undefined>;
}

export function createSettle(ctx: EngineContext): Settle {
  const { db, replicaId, outcomes } = ctx.options;

  const successes = createWriteBehind({
    write: async (items: { runId: string; durationMs: number; output: unknown }[]) => {
      const recorded = await sql.recordSuccesses(db, replicaId, items);
      return items.map((item) => recorded.has(item.runId));
    },
    maxBatch: SUCCESS_BATCH,
    attempts: SUCCESS_WRITE_ATTEMPTS,
    retryDelayMs: (retry) => Math.min(50 * 2 ** (retry - 1), 1_000),
    onRetry: (error, items, retry) =>
      ctx.log.warn({ err: error, runs: items, retry }, 'recording run successes failed; retrying'),
  });

  async function success(jobId: string, runId: string, outcome: { durationMs: number; output: unknown }) {
    const recorded = await successes.add({ runId, ...outcome });
    if (recorded && outcomes) {
      await outcomes
        .runSucceeded(jobId, runId)
        .catch((error) => ctx.log.warn({ err: error, job_id: jobId }, 'run outcome hook failed'));
    }
    return recorded;
  }

  function failure(jobId: string, runId: string, failure: RunFailure) {
    return db.transaction(async (tx) => {
      const job = await sql.lockJob(tx, jobId);
      const run = await sql.lockRunningRun(
        tx,
        runId,
        failure.kind === 'run' ? { owner: replicaId } : { expired: true },
      );
      if (!run || !job) return undefined;
      const ended =
        failure.kind === 'run'
          ? failure
          : {
              status: 'failed' as const,
              output: undefined,
              error: {
                message: `lease expired: replica ${run.replicaId} stopped renewing it (crashed or cut off)`,
                code: 'lease_expired',
              },
              durationMs: null,
              noRetry: false,
            };
      let final: string = ended.status;
      if (ended.noRetry || run.attempt > job.maxRetries) final = 'dead';
      else {
        await sql.queueRetry(tx, {
          jobId,
          scheduledFor: run.scheduledFor,
          attempt: run.attempt + 1,
          retryOf: runId,
          delayMs: retryDelayMs(job.retryBackoffSeconds, run.attempt),
          note: `retry ${run.attempt} of ${job.maxRetries} after ${ended.status}`,
        });
      }
      await sql.recordFailure(tx, {
        runId,
        final,
        durationMs: ended.durationMs,
        output: ended.output,
        error: ended.error,
      });
      await sql.refreshJobStatus(tx, jobId, final);
      await outcomes?.runFailed(tx, {
        jobId,
        jobName: job.name,
        runId,
        final,
        timedOut: ended.status === 'timed_out',
        attempt: run.attempt,
        message: ended.error?.message ?? ended.status,
      });
      return { final, func: job.func };
    });
  }

  return { success, failure };
}
