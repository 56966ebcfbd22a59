// Runs what this replica claimed: opens the arguments, calls the job function under a timeout, renews the
// lease while it runs, and hands the outcome to settle. Also dispatches queued runs (retries, queue_one,
// catch-up, manual) up to this replica's concurrency.
import type { JobFunction } from '../job-functions/types.ts';
import { openSecrets } from '../secrets/schema-secrets.ts';
import { boundError, boundOutput, type RunError } from './bounded.ts';
import type { EngineContext } from './context.ts';
import type { Settle } from './settle.ts';
import * as sql from './sql/index.ts';
import type { RunFinishedEvent } from './types.ts';

export class RunAborted extends Error {
  constructor(
    readonly code: 'timed_out' | 'lease_lost' | 'aborted_on_shutdown',
    message: string,
  ) {
    super(message);
    this.name = 'RunAborted';
  }
}

export interface Runner {
  /** Starts a run this replica holds as `running` (claimed or dispatched). */
  start(job: sql.EngineJob, run: sql.EngineRun): void;
  /** One dispatch pass at a time; a call during a pass asks for another and shares its result. */
  dispatchQueued(): Promise<number>;
  /** dispatchQueued, errors logged (for callers that do not wait). */
  kick(): void;
}

export function createRunner(ctx: EngineContext, settle: Settle): Runner {
  const { state, options } = ctx;
  const { db, registry, replicaId } = options;
  /** Runs whose function is still going (the concurrency limit counts these). */
  const executing = () => state.running.size - state.settling;

  function start(job: sql.EngineJob, run: sql.EngineRun) {
    if (run.trigger === 'schedule' || run.trigger === 'catchup') {
      const lagSeconds = (Date.now() - run.scheduledFor.getTime()) / 1000;
      ctx.observe((o) => o.runStarted?.({ func: job.func, trigger: run.trigger, lagSeconds }));
    }
    const controller = new AbortController();
    const done = execute(job, run, controller)
      .catch((error) => ctx.log.error({ err: error, run_id: run.id }, 'run bookkeeping failed'))
      .finally(() => {
        state.running.delete(run.id);
        kickSoon();
      });
    state.running.set(run.id, { controller, done, jobId: job.id });
  }

  /** Renews the lease every heartbeat; losing it (another replica took the run over) aborts the run. */
  function heartbeat(run: sql.EngineRun, controller: AbortController, runLog: typeof ctx.log) {
    return setInterval(() => {
      sql
        .renewLease(db, run.id, replicaId, ctx.leaseInterval)
        .then((renewed) => {
          if (!renewed && !controller.signal.aborted) {
            controller.abort(
              new RunAborted('lease_lost', 'another replica took this run over (lease expired)'),
            );
          }
        })
        .catch((error) => runLog.warn({ err: error }, 'lease renewal failed'));
    }, ctx.heartbeatMs);
  }

  /** The job function's arguments: secrets opened and checked against its schema, or an invalid_args error. */
  function argumentsFor(fn: JobFunction, job: sql.EngineJob): unknown {
    let kwargs: unknown;
    try {
      kwargs = openSecrets(fn.argsSchema, job.kwargs ?? {}, options.secrets);
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
    return args.data;
  }

  async function execute(job: sql.EngineJob, run: sql.EngineRun, controller: AbortController) {
    const runLog = ctx.log.child({ job_id: job.id, job: job.name, run_id: run.id, attempt: run.attempt });
    const started = performance.now();
    const renewing = heartbeat(run, controller, runLog);
    const timeout = setTimeout(
      () => controller.abort(new RunAborted('timed_out', `timed out after ${job.timeoutSeconds} s`)),
      job.timeoutSeconds * 1000,
    );

    let status: 'succeeded' | 'failed' | 'timed_out' = 'succeeded';
    let output: unknown = null;
    let error: RunError | null = null;
    try {
      const fn = registry.get(job.func);
      if (!fn) {
        throw Object.assign(new Error(`job function ${job.func} is not registered`), {
          code: 'unregistered',
        });
      }
      const args = argumentsFor(fn, job);
      const aborted = new Promise<never>((_, reject) => {
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      });
      aborted.catch(() => {});
      output = boundOutput(
        await Promise.race([
          fn.run(
            {
              signal: controller.signal,
              timeoutMs: job.timeoutSeconds * 1000,
              logger: runLog,
              appDb: db,
              legacyDb: options.legacyDb,
              kv: options.kv,
              files: options.files,
              config: options.config,
              runId: run.id,
              jobId: job.id,
              jobName: job.name,
              scheduledFor: run.scheduledFor,
              attempt: run.attempt,
            },
            args,
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
        // The stack goes to the operators' log only; the run row keeps the message (scheduler/bounded.ts).
        runLog.warn({ err: caught }, 'run failed');
        const attached = (caught as { output?: unknown })?.output;
        if (attached !== undefined) output = boundOutput(attached);
      }
    } finally {
      clearInterval(renewing);
      clearTimeout(timeout);
    }
    if (error?.code === 'lease_lost') {
      runLog.warn('run abandoned: its lease was taken over by another replica');
      return;
    }
    const durationMs = Math.round(performance.now() - started);
    // The function is done: its slot is free for the next queued run while the outcome is written.
    state.settling++;
    kickSoon();
    try {
      await settleOutcome(job, run, runLog, { status, output, error, durationMs });
    } finally {
      state.settling--;
    }
  }

  async function settleOutcome(
    job: sql.EngineJob,
    run: sql.EngineRun,
    runLog: typeof ctx.log,
    ended: {
      status: 'succeeded' | 'failed' | 'timed_out';
      output: unknown;
      error: RunError | null;
      durationMs: number;
    },
  ) {
    const { status, output, error, durationMs } = ended;
    let final: string | undefined;
    if (status === 'succeeded') {
      final = (await settle.success(job.id, run.id, { durationMs, output })) ? 'succeeded' : undefined;
    } else {
      const settled = await settle.failure(job.id, run.id, {
        kind: 'run',
        status,
        output,
        error,
        durationMs,
        noRetry: error?.code === 'invalid_args',
      });
      final = settled?.final;
    }
    if (final) {
      ctx.observe((o) =>
        o.runRecorded?.({ func: job.func, status: final, durationSeconds: durationMs / 1000 }),
      );
      runLog[final === 'succeeded' ? 'info' : 'warn'](
        { status: final, duration_ms: durationMs },
        'run finished',
      );
      ctx.events.emit('run:finished', {
        runId: run.id,
        jobId: job.id,
        status: final,
      } satisfies RunFinishedEvent);
    }
  }

  /**
   * Claims queued runs under their job's lock (overlap policy from committed rows) and starts them. Runs of one
   * job are claimed together: as many as the policy and this replica's capacity allow (all of them for `allow`,
   * in one statement; one for the others when none is running, in a transaction that counts the running ones).
   */
  async function dispatchOnce(): Promise<number> {
    const capacity = ctx.maxConcurrent - executing();
    if (capacity <= 0 || state.stopping) return 0;
    const candidates = await sql.selectDispatchable(db, ctx.registeredKeys(), capacity * 2);
    const byJob = new Map<string, { runIds: string[]; allow: boolean }>();
    for (const candidate of candidates) {
      const group = byJob.get(candidate.jobId);
      if (group) group.runIds.push(candidate.id);
      else byJob.set(candidate.jobId, { runIds: [candidate.id], allow: candidate.overlapPolicy === 'allow' });
    }
    let startedCount = 0;
    for (const [jobId, { runIds, allow }] of byJob) {
      const room = ctx.maxConcurrent - executing();
      if (room <= 0 || state.stopping) break;
      let claimed = allow
        ? await sql.startAllowedRuns(db, jobId, runIds.slice(0, room), replicaId, ctx.leaseInterval)
        : undefined;
      // Not `allow` (or no longer): decided under the lock from a fresh count of the running runs.
      if (!allow || (claimed && claimed.job.overlapPolicy !== 'allow')) {
        claimed = await db.transaction(async (tx) => {
          const job = await sql.lockJob(tx, jobId);
          if (!job || job.archivedAt) return undefined;
          const counts = await sql.countActiveRuns(tx, jobId);
          if (job.overlapPolicy !== 'allow' && counts.running > 0) return undefined;
          const wanted = job.overlapPolicy === 'allow' ? runIds.slice(0, room) : runIds.slice(0, 1);
          return { job, runs: await sql.startQueuedRuns(tx, jobId, wanted, replicaId, ctx.leaseInterval) };
        });
      }
      if (!claimed) continue;
      for (const run of claimed.runs) start(claimed.job, run);
      startedCount += claimed.runs.length;
    }
    return startedCount;
  }

  function dispatchQueued(): Promise<number> {
    if (state.dispatching) {
      state.dispatchAgain = true;
      return state.dispatching;
    }
    state.dispatching = (async () => {
      let total = 0;
      try {
        do {
          state.dispatchAgain = false;
          total += await dispatchOnce();
        } while (state.dispatchAgain && !state.stopping);
      } finally {
        state.dispatching = undefined;
      }
      return total;
    })();
    return state.dispatching;
  }

  function kick() {
    dispatchQueued().catch((error) => ctx.log.error({ err: error }, 'dispatch failed'));
  }

  /** kick() once at the end of this turn: runs finishing together free their slots for one dispatch pass. */
  function kickSoon() {
    if (state.kickScheduled || state.stopping) return;
    state.kickScheduled = true;
    setImmediate(() => {
      state.kickScheduled = false;
      if (!state.stopping) kick();
    });
  }

  return { start, dispatchQueued, kick };
}
