// The rate-limit headers the origin and the edge both send (portable: no imports), so a client sees one
// format whichever layer limited it: X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset (Unix
// seconds when the window has room again), plus Retry-After on a 429.

export type LimitKind = 'ip' | 'token';

export interface LimitOutcome {
  kind: LimitKind;
  success: boolean;
  limit: number;
  remaining: number;
  /** Unix time in milliseconds when the window has room again. */
  resetMs: number;
}

/** The outcome the client is told about: a failed check, else the one with the least room left. */
export function governingOutcome(outcomes: LimitOutcome[]): LimitOutcome {
  const failed = outcomes.find((outcome) => !outcome.success);
  if (failed) return failed;
  return outcomes.reduce((least, outcome) => (outcome.remaining < least.remaining ? outcome : least));
}

export function rateLimitHeaders(outcome: LimitOutcome, now = Date.now()): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(outcome.limit),
    'X-RateLimit-Remaining': String(Math.max(0, outcome.remaining)),
    'X-RateLimit-Reset': String(Math.ceil(outcome.resetMs / 1000)),
    ...(outcome.success ? {} : { 'Retry-After': String(retryAfterSeconds(outcome, now)) }),
  };
}

export function retryAfterSeconds(outcome: LimitOutcome, now = Date.now()): number {
  return Math.max(1, Math.ceil((outcome.resetMs - now) / 1000));
}
