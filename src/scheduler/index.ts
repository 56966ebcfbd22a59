// The scheduler engine, wired from its parts (docs/architecture/overview.md draws them):
//   timers (one per enabled job) ──wake──> claim (insert the tick's row; the winner decides under the job lock)
//   ──running──> runner (execute, heartbeat, timeout; dispatch of queued runs) ──outcome──> settle
//   maintenance (poll: lease sweep → settle's failure path, catch-up, reload) and listener (NOTIFY) keep it current.
// Every statement is in sql/ (named functions, rows typed from db/schema); the parts share one explicit state object (context.ts). The entry builds what
// the engine needs (registry, secrets, outcome hooks) and passes it in: nothing is built here.
import { createClaims } from './claim.ts';
import { createEngineContext } from './context.ts';
import { listenForChanges } from './listener.ts';
import { createMaintenance } from './maintenance.ts';
import { pollDelay } from './policies.ts';
import { createRunner, RunAborted } from './runner.ts';
import { createSettle } from './settle.ts';
import { createTimers } from './timers.ts';
import type { Scheduler, SchedulerOptions } from './types.ts';

export { asDate } from './sql/index.ts';
export * from './types.ts';

export function createScheduler(options: SchedulerOptions): Scheduler {
  const ctx = createEngineContext(options);
  const { state, log } = ctx;
  const settle = createSettle(ctx);
  const runner = createRunner(ctx, settle);
  const claims = createClaims(ctx, runner);
  const timers = createTimers(ctx, claims);
  const maintenance = createMaintenance(ctx, { settle, runner, timers });

  async function start() {
    if (state.started) return;
    state.started = true;
    state.stopping = false;
    state.unlisten = await listenForChanges(ctx, { timers, runner, maintenance });
    const startAt = new Date();
    await maintenance.markJobsSeen();
    // Ticks older than the margin belong to the catch-up (misfire policy); younger ones to the timers,
    // which are armed from that same instant, fire at once for past ticks and claim them like any replica
    // (replicas starting together must not record a tick as missed that another is about to claim).
    const boundary = new Date(startAt.getTime() - ctx.catchupMarginMs);
    // A catch-up or sweep that fails here (a deadlock victim, a dropped connection) is not a reason to refuse
    // to start: the poll runs both again every interval.
    await maintenance.catchUp(startAt, ctx.catchupMarginMs).catch((error: unknown) => {
      log.warn({ err: error }, 'catch-up at start failed; the next poll retries it');
    });
    await timers.reloadAll(boundary);
    await maintenance.sweepExpiredLeases().catch((error: unknown) => {
      log.warn({ err: error }, 'lease sweep at start failed; the next poll retries it');
    });
    runner.kick();
    schedulePoll();
    log.info({ armed: state.armed.size, lease_ms: ctx.leaseMs, poll_ms: ctx.pollMs }, 'scheduler started');
  }

  /** Polls every interval, between whole seconds (policies.ts, pollDelay). */
  function schedulePoll() {
    if (state.stopping) return;
    state.pollTimer = setTimeout(
      () => {
        schedulePoll();
        void maintenance.poll();
      },
      pollDelay(Date.now(), ctx.pollMs),
    );
  }

  /** Waits for running jobs up to the shutdown timeout, then aborts them (they are recorded as failed). */
  async function drainRuns() {
    const inFlight = [...state.running.values()];
    if (!inFlight.length) return;
    log.info({ running: inFlight.length, timeout_ms: ctx.shutdownTimeoutMs }, 'waiting for running jobs');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      Promise.all(inFlight.map((run) => run.done)).then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), ctx.shutdownTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!timedOut) return;
    for (const run of state.running.values()) {
      run.controller.abort(new RunAborted('aborted_on_shutdown', 'aborted: the replica shut down'));
    }
    await Promise.all([...state.running.values()].map((run) => run.done));
  }

  async function stop() {
    if (!state.started || state.stopping) return;
    state.stopping = true;
    if (state.pollTimer) clearTimeout(state.pollTimer);
    timers.disarmAll();
    await state.unlisten?.().catch(() => {});
    await Promise.allSettled([...state.claimsInFlight]);
    await state.dispatching?.catch(() => {});
    await drainRuns();
    state.started = false;
    log.info('scheduler stopped');
  }

  return {
    replicaId: options.replicaId,
    events: ctx.events,
    start,
    stop,
    claimTick: claims.claimTick,
    catchUp: maintenance.catchUp,
    dispatchQueued: runner.dispatchQueued,
    sweepExpiredLeases: maintenance.sweepExpiredLeases,
    reloadJob: timers.reloadJob,
    reloadAll: () => timers.reloadAll(),
    poke() {
      if (state.started && !state.stopping) runner.kick();
    },
    async idle() {
      while (state.running.size > 0 || state.dispatching || state.kickScheduled) {
        await Promise.all([...state.running.values()].map((run) => run.done));
        await state.dispatching?.catch(() => {});
        // A dispatch pass asked for at the end of this turn (runs that just ended) has not begun yet.
        if (state.kickScheduled) await new Promise((resolve) => setImmediate(resolve));
      }
    },
    stats: () => ({ armed: state.armed.size, running: state.running.size }),
    nextTickOf: (jobId) => state.armed.get(jobId)?.nextAt ?? undefined,
  };
}
