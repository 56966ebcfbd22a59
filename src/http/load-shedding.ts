// Past a bound, say "busy" at once instead of letting a request queue: a 503 in the envelope with Retry-After,
// produced without touching the database, so an overloaded origin spends its time on the requests it accepted.
// Two signals: requests in flight in this process (each holds memory and, soon, a pool connection), and the
// event loop's lag (how late a 50 ms timer fires: a request arriving now waits about that long for every turn).
// The defaults sit above what 1,000 concurrent connections need on two cores (docs/performance.md).
import type { MiddlewareHandler } from 'hono';
import { errorResponse } from './envelope.ts';

export interface LoadSheddingOptions {
  /** Requests being served at once, past which new ones are refused. */
  maxInFlight?: number;
  /** Event-loop lag (ms), kept up over two samples in a row, past which new requests are refused... */
  maxLagMs?: number;
  /**
   * ...when at least this many requests are in flight: a late loop with little in flight is a starved process
   * (a busy machine, a long GC), not an overload that refusing requests would relieve.
   */
  lagMinInFlight?: number;
  /** Seconds the client is asked to wait. */
  retryAfterSeconds?: number;
  /** Paths never refused (health: a load balancer must still see the answer). */
  exempt?: (path: string) => boolean;
}

export const LOAD_SHEDDING_DEFAULTS = {
  maxInFlight: 2_048,
  maxLagMs: 1_000,
  lagMinInFlight: 64,
  retryAfterSeconds: 1,
};
const LAG_SAMPLE_MS = 50;

/**
 * How late a repeating timer fires, sampled while something asks for it; the sampler never keeps the process alive.
 * `sustained()` is the lag the loop has kept up: the smaller of the last sample and the time the next one is
 * overdue now. One long pause (a major GC, a burst of new connections) makes one of the two large, not both: the
 * requests that queued behind it are answered a moment later, and refusing them would turn a hiccup into errors.
 * A loop that stays behind makes both large, turn after turn.
 */
function eventLoopLag() {
  let lag = 0;
  let expected = performance.now() + LAG_SAMPLE_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    lag = Math.max(0, now - expected);
    expected = now + LAG_SAMPLE_MS;
  }, LAG_SAMPLE_MS);
  timer.unref?.();
  return {
    sustained: () => Math.min(lag, performance.now() - expected),
    stop: () => clearInterval(timer),
  };
}

export function loadShedding(options: LoadSheddingOptions = {}): MiddlewareHandler {
  const { maxInFlight, maxLagMs, lagMinInFlight, retryAfterSeconds } = {
    ...LOAD_SHEDDING_DEFAULTS,
    ...options,
  };
  let lag: ReturnType<typeof eventLoopLag> | undefined;
  let inFlight = 0;
  return async (c, next) => {
    if (options.exempt?.(c.req.path)) return next();
    lag ??= eventLoopLag();
    const overloaded = inFlight >= maxInFlight || (inFlight >= lagMinInFlight && lag.sustained() > maxLagMs);
    if (overloaded) {
      return errorResponse(
        c,
        503,
        'overloaded',
        `The server is busy; retry in ${retryAfterSeconds} s`,
        { retry_after_seconds: retryAfterSeconds },
        { 'Retry-After': String(retryAfterSeconds) },
      );
    }
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  };
}
