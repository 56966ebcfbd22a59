// A job's own run-history retention: the schema's bounds (shared with the database checks and the form), the
// form's empty-is-null reading, and the sentence the job page shows.
import { describe, expect, it } from 'vitest';
import { RETENTION_LIMITS } from '../../src/db/schema/index.ts';
import { defaultFormValues, jobInputFromForm } from '../../src/features/jobs/admin/job-form.ts';
import { type Job, JobCreateSchema, JobUpdateSchema } from '../../src/features/jobs/jobs.schemas.ts';
import { retentionText } from '../../views/pages/job-page.tsx';

const base = { name: 'r', func: 'f', cron: '* * * * *' };

describe('retention in the jobs schema', () => {
  it('defaults to null (the global policy) and takes positive integers within the bounds', () => {
    expect(JobCreateSchema.parse(base)).toMatchObject({
      retention_max_runs: null,
      retention_max_age_days: null,
    });
    const edges = [
      {
        retention_max_runs: RETENTION_LIMITS.maxRuns.min,
        retention_max_age_days: RETENTION_LIMITS.maxAgeDays.min,
      },
      {
        retention_max_runs: RETENTION_LIMITS.maxRuns.max,
        retention_max_age_days: RETENTION_LIMITS.maxAgeDays.max,
      },
    ];
    for (const edge of edges) expect(JobCreateSchema.parse({ ...base, ...edge })).toMatchObject(edge);
    expect(RETENTION_LIMITS).toEqual({
      maxRuns: { min: 1, max: 100_000 },
      maxAgeDays: { min: 1, max: 3650 },
    });
  });

  it('refuses zero, negatives, fractions, text and values past the bounds, naming the field', () => {
    for (const [field, value] of [
      ['retention_max_runs', 0],
      ['retention_max_runs', -3],
      ['retention_max_runs', 1.5],
      ['retention_max_runs', 100_001],
      ['retention_max_runs', '10'],
      ['retention_max_age_days', 0],
      ['retention_max_age_days', 3651],
      ['retention_max_age_days', Number.NaN],
    ] as const) {
      const result = JobCreateSchema.safeParse({ ...base, [field]: value });
      expect(result.success, `${field}=${value}`).toBe(false);
      expect(result.error!.issues.map((issue) => issue.path.join('.'))).toEqual([field]);
    }
  });

  it('on update: left out keeps (undefined), null clears', () => {
    expect(JobUpdateSchema.parse({})).not.toHaveProperty('retention_max_runs');
    expect(JobUpdateSchema.parse({ retention_max_runs: null, retention_max_age_days: 30 })).toEqual({
      retention_max_runs: null,
      retention_max_age_days: 30,
    });
    expect(JobUpdateSchema.safeParse({ retention_max_age_days: 0 }).success).toBe(false);
  });
});

describe('retention in the job form', () => {
  const values = (retention_max_runs: string, retention_max_age_days: string) => ({
    ...defaultFormValues(),
    retention_max_runs,
    retention_max_age_days,
  });

  it('starts empty, reads empty as null and numbers as numbers, and passes text on for the schema to refuse', () => {
    expect(defaultFormValues()).toMatchObject({ retention_max_runs: '', retention_max_age_days: '' });
    expect(jobInputFromForm(values('', ' ')).input).toMatchObject({
      retention_max_runs: null,
      retention_max_age_days: null,
    });
    expect(jobInputFromForm(values(' 250 ', '14')).input).toMatchObject({
      retention_max_runs: 250,
      retention_max_age_days: 14,
    });
    const { input } = jobInputFromForm(values('many', '0'));
    expect(input).toMatchObject({ retention_max_runs: 'many', retention_max_age_days: 0 });
    const checked = JobCreateSchema.safeParse({ ...input, name: 'x', func: 'f', cron: '* * * * *' });
    expect(checked.error?.issues.map((issue) => issue.path[0]).sort()).toEqual([
      'retention_max_age_days',
      'retention_max_runs',
    ]);
  });
});

describe('retention on the job page', () => {
  const job = (retention_max_runs: number | null, retention_max_age_days: number | null) =>
    ({ retention_max_runs, retention_max_age_days }) as Job;

  it('says what prune_runs keeps, with the global age where the job sets none', () => {
    expect(retentionText(job(null, null), 30)).toBe(
      "the global policy: runs older than 30 days (RUN_RETENTION_DAYS) go, except each job's newest keep_per_job (default 20)",
    );
    expect(retentionText(job(1, null), 90)).toMatch(
      /^the newest 1 run, within the global policy: runs older than 90 days/,
    );
    expect(retentionText(job(null, 1), 30)).toBe('runs for at most 1 day');
    expect(retentionText(job(500, 14), 30)).toBe('the newest 500 runs, each for at most 14 days');
  });
});
