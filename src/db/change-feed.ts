// What the page cache knows about changes to the app DB: a generation that moves with every committed change
// to the data it serves. Migration 0004 announces each change to scheduled_jobs and job_runs on one channel,
// whoever made it (an API write on any replica, the scheduler's claims and outcomes, a SQL edit); this process
// also counts its own writes at once. `settled()` is the read barrier that makes "the next read sees the write"
// hold across replicas: a round trip on the listening connection, after which every change committed before the
// call has been counted.
import type { Logger } from '../observability/logger.ts';
import type { SqlClient, Subscription } from './client.ts';

export const DATA_CHANGED_CHANNEL = 'app_data_changed';

/** Past this, a read stops waiting for the barrier and reads the database instead. */
const SETTLE_TIMEOUT_MS = 1_000;

export interface ChangeFeed {
  /** Moves on every announced change and on this process's own writes. */
  readonly generation: number;
  /**
   * True once every change committed before the call is counted in `generation`; false when that cannot be
   * promised (the LISTEN connection is down or was renewed meanwhile, or the round trip took too long).
   * Concurrent callers share round trips.
   */
  settled(): Promise<boolean>;
  /** This process wrote (or may have written): count it now rather than when its notification arrives. */
  changed(): void;
  close(): Promise<void>;
}

export async function createChangeFeed(db: SqlClient, logger: Logger): Promise<ChangeFeed> {
  let generation = 0;
  const bump = () => {
    generation++;
  };
  let subscription: Subscription | undefined;
  try {
    // After a lost connection the notifications sent meanwhile are gone: everything counts as changed.
    subscription = await db.listen(DATA_CHANGED_CHANNEL, bump, bump);
  } catch (error) {
    logger.warn({ err: error }, 'page cache off: cannot LISTEN for data changes');
  }

  const roundTrip = async (): Promise<boolean> => {
    if (!subscription) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), SETTLE_TIMEOUT_MS);
      timer.unref?.();
    });
    try {
      return await Promise.race([subscription.sync().then(() => true), late]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  };
  // One round trip on the wire at a time. A caller that arrives while one is under way waits for the next: the
  // one under way may have been sent before the caller's own request arrived.
  let current: Promise<boolean> | undefined;
  let next: Promise<boolean> | undefined;
  const start = () => {
    current = roundTrip().finally(() => {
      current = undefined;
    });
    return current;
  };
  return {
    get generation() {
      return generation;
    },
    settled() {
      if (!current) return start();
      next ??= current.then(() => {
        next = undefined;
        return start();
      });
      return next;
    },
    changed: bump,
    async close() {
      const ending = subscription;
      subscription = undefined;
      await ending?.();
    },
  };
}
