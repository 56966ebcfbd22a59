// The one knob for every deadline in the test suite: TEST_TIME_SCALE (default 1; .ci/run sets 3).
// Deadlines here are ceilings for a condition that is polled or awaited, never a measurement: a slow or
// busy machine raises the knob, and correct code still passes. Vitest's test and hook timeouts, the
// `eventually`/`until` polls, process readiness waits and per-test timeouts all go through scaled().
import { setTimeout as delay } from 'node:timers/promises';

function parseScale(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 1;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`TEST_TIME_SCALE must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

export const TIME_SCALE = parseScale(process.env.TEST_TIME_SCALE);

/** A deadline in ms, multiplied by TEST_TIME_SCALE. */
export const scaled = (ms: number): number => Math.round(ms * TIME_SCALE);

export interface UntilOptions {
  /** Ceiling before giving up, before scaling (default 30 s). */
  timeoutMs?: number;
  /** Pause between checks (default 25 ms; not scaled: it is not a deadline). */
  intervalMs?: number;
  /** Names the condition in the error. */
  what?: string;
  /** Whether a throwing check counts as "not yet" (default true, for readiness probes) or fails at once. */
  retryErrors?: boolean;
}

/**
 * Polls `check` until it returns a truthy value and returns that value; throws once the scaled ceiling
 * passed. For readiness and eventual-consistency waits, so nothing sleeps a fixed time and hopes.
 */
export async function until<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: UntilOptions = {},
): Promise<T> {
  const limit = scaled(options.timeoutMs ?? 30_000);
  const deadline = Date.now() + limit;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      lastError = undefined;
    } catch (error) {
      if (options.retryErrors === false) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`${options.what ?? 'condition'} not reached within ${limit} ms${reason}`);
    }
    await delay(options.intervalMs ?? 25);
  }
}
