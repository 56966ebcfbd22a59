// The pure parts of the policies: overlap decision, misfire classification and retry backoff.
// They run inside the claim/catch-up transactions, which hold the job row lock, so every replica
// decides from the same committed state.
import type { MISFIRE_POLICIES, OVERLAP_POLICIES } from '../db/schema/index.ts';

export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];
export type MisfirePolicy = (typeof MISFIRE_POLICIES)[number];

/** What a scheduled tick becomes, given the job's runs that are running or queued right now. */
export function overlapDecision(
  policy: OverlapPolicy,
  running: number,
  queued: number,
): 'running' | 'queued' | 'skipped' {
  if (policy === 'allow' || running === 0) return 'running';
  if (policy === 'queue_one' && queued === 0) return 'queued';
  return 'skipped';
}

export interface MisfirePlan {
  run: Date[];
  missed: Date[];
}

/** The catch-up runs an earlier sweep pass queued for the same outage: when the last was queued, how many. */
export interface EarlierCatchup {
  queuedAt: Date;
  runs: number;
}

/**
 * Ticks no replica claimed: those late by at most the grace run (a late start is tolerated); the rest are
 * misfires: `skip` records them as missed, `run_once` runs the latest one (unless an in-grace tick already
 * runs), `run_all` runs the newest `maxCatchup` of them. Every tick ends up as exactly one row.
 *
 * The policy holds per outage, not per sweep pass: replicas start one after another, each with its own
 * horizon, so one outage can be seen in several passes. Ticks already due when an earlier pass queued its
 * catch-up runs (`earlier`) belong to that outage: `run_once` records them as missed, `run_all` runs the
 * newest of them only while the outage has fewer than `maxCatchup` catch-up runs.
 */
export function planMisfires(
  ticks: readonly Date[],
  now: Date,
  policy: MisfirePolicy,
  graceSeconds: number,
  maxCatchup: number,
  earlier?: EarlierCatchup,
): MisfirePlan {
  const covered: Date[] = [];
  const inGrace: Date[] = [];
  const misfired: Date[] = [];
  for (const tick of ticks) {
    if (policy !== 'skip' && earlier && tick.getTime() <= earlier.queuedAt.getTime()) covered.push(tick);
    else if (now.getTime() - tick.getTime() <= graceSeconds * 1000) inGrace.push(tick);
    else misfired.push(tick);
  }
  const newest = (list: Date[], count: number) => list.slice(Math.max(0, list.length - count));
  let runMisfired: Date[] = [];
  if (policy === 'run_once' && inGrace.length === 0 && misfired.length > 0) runMisfired = [misfired.at(-1)!];
  if (policy === 'run_all') {
    // Covered ticks run only while their outage is under the cap; the newer ones get a cap of their own.
    const budget = Math.max(0, maxCatchup - (earlier?.runs ?? 0));
    runMisfired = [...newest(covered, budget), ...newest(misfired, maxCatchup)];
  }
  const running = new Set(runMisfired);
  return {
    run: [...runMisfired, ...inGrace],
    missed: [...covered, ...misfired].filter((tick) => !running.has(tick)),
  };
}

/** Exponential backoff with jitter: base·2^(attempt-1), then a random point in its upper half. */
export function retryDelayMs(baseSeconds: number, failedAttempt: number, random = Math.random): number {
  const exponential = Math.max(0, baseSeconds) * 1000 * 2 ** Math.min(Math.max(failedAttempt - 1, 0), 20);
  const capped = Math.min(exponential, 24 * 3_600_000);
  return Math.round(capped / 2 + random() * (capped / 2));
}

/**
 * Milliseconds from `now` to the next maintenance poll: about `pollMs`, landing in the middle of a second when
 * the interval is a second or more. Ticks fall on whole seconds, so the poll's statements do not compete with
 * the claims and runs of ticks firing together.
 */
export function pollDelay(now: number, pollMs: number): number {
  if (pollMs < 1_000) return pollMs;
  return Math.floor((now + pollMs) / 1_000) * 1_000 + 500 - now;
}
