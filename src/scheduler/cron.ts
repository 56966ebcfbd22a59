// The cron dialect: croner with 5 fields (minute precision) or 6 (leading seconds field), a per-job IANA
// timezone, and day-of-month/day-of-week combined with OR as in Vixie cron (croner's domAndDow: false).
import { Cron } from 'croner';
import cronstrue from 'cronstrue';

export type CronCheck = { ok: true; cron: Cron } | { ok: false; reason: string };

/**
 * Parsed crons by expression and zone, for callers that read the same few expressions over and over (the
 * engine's timers and claims, the overdue check): undefined for one that does not parse. Cleared wholesale past
 * `limit` entries (a bound, not an eviction policy).
 */
export function createCronCache(limit = 20_000): (expr: string, timezone: string) => Cron | undefined {
  const cache = new Map<string, Cron | null>();
  return (expr, timezone) => {
    const key = `${timezone}|${expr}`;
    let cron = cache.get(key);
    if (cron === undefined) {
      const parsed = parseCron(expr, timezone);
      cron = parsed.ok ? parsed.cron : null;
      if (cache.size >= limit) cache.clear();
      cache.set(key, cron);
    }
    return cron ?? undefined;
  };
}

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Parses an expression for a zone; on failure the parser's reason, stripped of croner's prefix. */
export function parseCron(expr: string, timezone = 'UTC'): CronCheck {
  if (!isValidTimezone(timezone)) return { ok: false, reason: `unknown IANA timezone "${timezone}"` };
  const fields = expr.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5 && fields.length !== 6) {
    return {
      ok: false,
      reason: `expected 5 fields (minute hour day-of-month month day-of-week) or 6 with a leading seconds field; got ${fields.length}`,
    };
  }
  try {
    const cron = new Cron(expr.trim(), {
      timezone,
      mode: '5-or-6-parts',
      domAndDow: false,
      paused: true,
    });
    if (!cron.nextRun(new Date())) return { ok: false, reason: 'the expression never fires' };
    return { ok: true, cron };
  } catch (error) {
    return { ok: false, reason: readableReason((error as Error).message) };
  }
}

export interface CronProblem {
  field: 'cron' | 'timezone';
  message: string;
}

/** Checks the expression and the zone each on its own, so a caller hears about both problems at once. */
export function cronProblems(expr: string, timezone: string): CronProblem[] {
  const problems: CronProblem[] = [];
  const zoneKnown = isValidTimezone(timezone);
  if (!zoneKnown) problems.push({ field: 'timezone', message: `unknown IANA timezone "${timezone}"` });
  const parsed = parseCron(expr, zoneKnown ? timezone : 'UTC');
  if (!parsed.ok) problems.push({ field: 'cron', message: parsed.reason });
  return problems;
}

/** croner reports day-of-month and month values zero-based ("day: 31" for 32); say what the user wrote. */
function readableReason(message: string): string {
  return message
    .replace(/^CronPattern:\s*/, '')
    .replace(/Invalid value for (day|month): (-?\d+)/, (_, field: string, value: string) =>
      field === 'day'
        ? `Invalid value for day-of-month: ${Number(value) + 1} (allowed 1-31)`
        : `Invalid value for month: ${Number(value) + 1} (allowed 1-12)`,
    )
    .replace('Invalid value for dayOfWeek', 'Invalid value for day-of-week');
}

/** The first fire time strictly after `after`. */
export function nextFire(cron: Cron, after: Date): Date | null {
  return cron.nextRun(after);
}

/** Fire times in (from, to], at most `limit` of them; `more` says whether the limit cut the list. */
export function firesBetween(
  cron: Cron,
  from: Date,
  to: Date,
  limit: number,
): { fires: Date[]; more: boolean } {
  const fires: Date[] = [];
  let cursor = from;
  for (;;) {
    const next = cron.nextRun(cursor);
    if (!next || next.getTime() > to.getTime()) return { fires, more: false };
    if (fires.length >= limit) return { fires, more: true };
    fires.push(next);
    cursor = next;
  }
}

/** Human-readable description (cronstrue); undefined when it cannot describe the expression. */
const descriptions = new Map<string, string | undefined>();
const MAX_DESCRIPTIONS = 5_000;

/** A human description of an expression; remembered, since every job in a list page asks for one. */
export function describeCron(expr: string): string | undefined {
  const key = expr.trim();
  if (descriptions.has(key)) return descriptions.get(key);
  let description: string | undefined;
  try {
    description = cronstrue.toString(key, { use24HourTimeFormat: true, verbose: false });
  } catch {
    description = undefined;
  }
  if (descriptions.size >= MAX_DESCRIPTIONS) descriptions.clear();
  descriptions.set(key, description);
  return description;
}

/** A wall-clock rendering of an instant in a zone, e.g. 2026-03-08T03:00:00-04:00. */
export function formatInZone(date: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(date);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  const offset = get('timeZoneName').replace(/^GMT/, '') || '+00:00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${offset}`;
}

export interface CronPreview {
  valid: boolean;
  /** Every problem, joined (null when valid). */
  reason: string | null;
  problems: CronProblem[];
  description: string | null;
  timezone: string;
  /** The instant the fire times follow (exclusive). */
  from: string;
  next: { local: string; utc: string }[];
}

/** Whether an expression is valid in a zone and its next `count` fire times strictly after `from`. */
export function previewCron(expr: string, timezone: string, count: number, from = new Date()): CronPreview {
  const problems = cronProblems(expr, timezone);
  const parsed = problems.length ? undefined : parseCron(expr, timezone);
  const base = { problems, timezone, from: from.toISOString() };
  if (!parsed?.ok) {
    const reason = problems.map((problem) => problem.message).join('; ') || 'not valid';
    return { valid: false, reason, description: null, next: [], ...base };
  }
  return {
    valid: true,
    reason: null,
    description: describeCron(expr) ?? null,
    ...base,
    next: parsed.cron.nextRuns(count, from).map((date) => ({
      local: formatInZone(date, timezone),
      utc: date.toISOString(),
    })),
  };
}
