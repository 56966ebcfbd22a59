// The cron dialect through croner's own next-run computation: fields, OR semantics, zones and DST.
import { describe, expect, it } from 'vitest';
import { describeCron, formatInZone, parseCron, previewCron } from '../../../src/scheduler/cron.ts';
import { planMisfires, retryDelayMs } from '../../../src/scheduler/policies.ts';

const next = (expr: string, tz: string, from: string, count: number) => {
  const parsed = parseCron(expr, tz);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.cron.nextRuns(count, new Date(from)).map((date) => date.toISOString());
};

describe('cron dialect', () => {
  it('accepts 5 fields (minute precision) and 6 with a leading seconds field', () => {
    expect(next('*/15 * * * *', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-01T00:15:00.000Z',
      '2026-01-01T00:30:00.000Z',
    ]);
    expect(next('*/20 * * * * *', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:40.000Z',
    ]);
  });

  it('refuses other field counts, bad values and unknown zones with the reason', () => {
    expect(parseCron('* * * * * * *')).toMatchObject({ ok: false, reason: expect.stringContaining('got 7') });
    expect(parseCron('61 * * * *')).toEqual({ ok: false, reason: 'Invalid value for minute: 61' });
    expect(parseCron('0 0 31 13 *')).toEqual({
      ok: false,
      reason: 'Invalid value for month: 13 (allowed 1-12)',
    });
    expect(parseCron('* * * * *', 'Europe/Atlantis')).toEqual({
      ok: false,
      reason: 'unknown IANA timezone "Europe/Atlantis"',
    });
  });

  it('combines day-of-month and day-of-week with OR, as Vixie cron does', () => {
    // The 13th of the month OR any Friday: June 2026 has Fridays on the 5th, 12th, 19th, 26th.
    expect(next('0 0 13 * 5', 'UTC', '2026-06-01T00:00:00Z', 4)).toEqual([
      '2026-06-05T00:00:00.000Z',
      '2026-06-12T00:00:00.000Z',
      '2026-06-13T00:00:00.000Z',
      '2026-06-19T00:00:00.000Z',
    ]);
  });

  it('fires at wall-clock time in the job zone', () => {
    expect(next('0 9 * * *', 'Asia/Seoul', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-02T00:00:00.000Z']);
    expect(formatInZone(new Date('2026-01-02T00:00:00Z'), 'Asia/Seoul')).toBe('2026-01-02T09:00:00+09:00');
  });

  describe('DST in America/New_York', () => {
    it('spring forward (2026-03-08, 02:00 → 03:00): a fixed time inside the gap runs once at 03:00', () => {
      const fires = next('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 3);
      expect(fires.map((f) => formatInZone(new Date(f), 'America/New_York'))).toEqual([
        '2026-03-08T03:00:00-04:00',
        '2026-03-09T02:30:00-04:00',
        '2026-03-10T02:30:00-04:00',
      ]);
    });

    it('spring forward: an interval job skips the hour that does not exist', () => {
      const fires = next('0 * * * *', 'America/New_York', '2026-03-08T05:30:00Z', 3);
      expect(fires.map((f) => formatInZone(new Date(f), 'America/New_York'))).toEqual([
        '2026-03-08T01:00:00-05:00',
        '2026-03-08T03:00:00-04:00',
        '2026-03-08T04:00:00-04:00',
      ]);
    });

    it('fall back (2026-11-01, 02:00 → 01:00): a fixed time in the repeated hour runs once', () => {
      const fires = next('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 2);
      expect(fires.map((f) => formatInZone(new Date(f), 'America/New_York'))).toEqual([
        '2026-11-01T01:30:00-04:00',
        '2026-11-02T01:30:00-05:00',
      ]);
    });

    it('fall back: an interval job runs in both occurrences of the repeated hour', () => {
      const fires = next('*/30 * * * *', 'America/New_York', '2026-11-01T05:00:00Z', 4);
      expect(fires.map((f) => formatInZone(new Date(f), 'America/New_York'))).toEqual([
        '2026-11-01T01:30:00-04:00',
        '2026-11-01T01:00:00-05:00',
        '2026-11-01T01:30:00-05:00',
        '2026-11-01T02:00:00-05:00',
      ]);
    });
  });

  it('describes expressions and previews them', () => {
    expect(describeCron('*/5 * * * *')).toBe('Every 5 minutes');
    const preview = previewCron('0 12 * * 1-5', 'Europe/Berlin', 2, new Date('2026-06-05T00:00:00Z'));
    expect(preview).toMatchObject({ valid: true, reason: null, timezone: 'Europe/Berlin' });
    expect(preview.next).toEqual([
      { local: '2026-06-05T12:00:00+02:00', utc: '2026-06-05T10:00:00.000Z' },
      { local: '2026-06-08T12:00:00+02:00', utc: '2026-06-08T10:00:00.000Z' },
    ]);
  });
});

describe('policies', () => {
  const ticks = [1, 2, 3, 4].map((m) => new Date(`2026-01-01T10:0${m}:00Z`));
  const now = new Date('2026-01-01T10:04:30Z');

  it('plans misfires so every tick is run or recorded missed, never both, never dropped', () => {
    for (const [policy, cap] of [
      ['skip', 10],
      ['run_once', 10],
      ['run_all', 2],
    ] as const) {
      const plan = planMisfires(ticks, now, policy, 0, cap);
      expect([...plan.run, ...plan.missed].map((d) => d.getTime()).sort()).toEqual(
        ticks.map((d) => d.getTime()),
      );
    }
    expect(planMisfires(ticks, now, 'run_once', 0, 10).run).toEqual([ticks[3]]);
    expect(planMisfires(ticks, now, 'run_all', 0, 2).run).toEqual([ticks[2], ticks[3]]);
    expect(planMisfires(ticks, now, 'skip', 60, 10)).toEqual({ run: [ticks[3]], missed: ticks.slice(0, 3) });
  });

  it('applies the policy per outage when a later sweep pass sees more of it', () => {
    // An earlier pass queued its catch-up at 10:02:30: ticks 1-2 were already due then, ticks 3-4 were not.
    const earlier = (runs: number) => ({ queuedAt: new Date('2026-01-01T10:02:30Z'), runs });
    // run_once: the outage already ran once, so ticks 1-2 are missed; 3-4 are a new misfire, run once.
    const once = planMisfires(ticks, now, 'run_once', 0, 10, earlier(1));
    expect(once).toEqual({ run: [ticks[3]], missed: [ticks[0], ticks[1], ticks[2]] });
    // Every tick covered: nothing runs again, even an in-grace one.
    const allCovered = { queuedAt: new Date('2026-01-01T10:05:00Z'), runs: 1 };
    expect(planMisfires(ticks, now, 'run_once', 3600, 10, allCovered)).toEqual({ run: [], missed: ticks });
    // run_all, cap 3, the outage already had 2 catch-up runs: one more of ticks 1-2 (the newest), then 3-4.
    const all = planMisfires(ticks, now, 'run_all', 0, 3, earlier(2));
    expect(all).toEqual({ run: [ticks[1], ticks[2], ticks[3]], missed: [ticks[0]] });
    // Cap reached: the covered ticks are missed.
    expect(planMisfires(ticks, now, 'run_all', 0, 2, { ...allCovered, runs: 2 }).run).toEqual([]);
    expect(planMisfires(ticks, now, 'run_all', 0, 2, allCovered).run).toEqual([ticks[3]]);
    // skip ignores it.
    expect(planMisfires(ticks, now, 'skip', 0, 2, allCovered)).toEqual({ run: [], missed: ticks });
  });

  it('backs off exponentially with jitter in the upper half', () => {
    expect(retryDelayMs(10, 1, () => 0)).toBe(5_000);
    expect(retryDelayMs(10, 1, () => 1)).toBe(10_000);
    expect(retryDelayMs(10, 3, () => 0)).toBe(20_000);
    expect(retryDelayMs(10, 3, () => 1)).toBe(40_000);
    expect(retryDelayMs(0, 5, () => 0.5)).toBe(0);
  });
});
