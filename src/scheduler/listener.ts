// LISTEN on the scheduler channel: a changed job is re-armed at once, a queued run is dispatched at once.
// The poll is the fallback; after a lost connection it runs at once, since notifications sent meanwhile are gone.
import type { EngineContext } from './context.ts';
import type { Maintenance } from './maintenance.ts';
import type { Runner } from './runner.ts';
import type { Timers } from './timers.ts';
import { SCHEDULER_CHANNEL } from './types.ts';

export async function listenForChanges(
  ctx: EngineContext,
  parts: { timers: Timers; runner: Runner; maintenance: Maintenance },
): Promise<() => Promise<void>> {
  const { state, log } = ctx;
  const { timers, runner, maintenance } = parts;
  return ctx.options.db.listen(
    SCHEDULER_CHANNEL,
    (payload) => {
      if (state.stopping) return;
      if (payload.startsWith('job:')) {
        timers.reloadJob(payload.slice(4)).catch((error) => log.warn({ err: error }, 'reload failed'));
      } else if (payload === 'run') runner.kick();
      else timers.reloadAll().catch((error) => log.warn({ err: error }, 'reload failed'));
    },
    () => {
      if (!state.stopping) void maintenance.poll();
    },
  );
}
