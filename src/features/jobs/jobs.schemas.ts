// The jobs contract: zod schemas for job and run input/output, shared by the API and the admin UI.
import { z } from '@hono/zod-openapi';
import {
  MISFIRE_POLICIES,
  OVERLAP_POLICIES,
  RETENTION_LIMITS,
  RUN_STATUSES,
  RUN_TRIGGERS,
} from '../../db/schema/index.ts';
import { withDefault } from '../../http/openapi.ts';

export const JOB_STATUSES = [
  'idle',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'dead',
  'unregistered',
] as const;

const settings = {
  description: z.string().max(2000).openapi({ example: 'Says hello every five minutes' }),
  cron: z.string().min(1).max(64).openapi({
    example: '*/5 * * * *',
    description:
      '5 fields (minute hour day-of-month month day-of-week) or 6 with a leading seconds field. Day-of-month and day-of-week combine with OR (Vixie cron).',
  }),
  timezone: z.string().min(1).max(64).openapi({ example: 'Europe/Berlin', description: 'IANA zone' }),
  args: z
    .array(z.unknown())
    .openapi({ description: 'Positional arguments: kept for the seed shape; must be empty' }),
  kwargs: z
    .record(z.string(), z.unknown())
    .openapi({ description: "Keyword arguments, validated by the function's schema" }),
  enabled: z.boolean(),
  timeout_seconds: z.number().int().min(1).max(86_400),
  max_retries: z.number().int().min(0).max(100),
  retry_backoff_seconds: z.number().int().min(0).max(86_400),
  overlap_policy: z.enum(OVERLAP_POLICIES),
  misfire_policy: z.enum(MISFIRE_POLICIES),
  misfire_grace_seconds: z
    .number()
    .int()
    .min(0)
    .max(86_400 * 7),
  misfire_max_catchup: z.number().int().min(1).max(1000),
  retention_max_runs: z
    .number()
    .int()
    .min(RETENTION_LIMITS.maxRuns.min)
    .max(RETENTION_LIMITS.maxRuns.max)
    .nullable()
    .openapi({
      example: 500,
      description:
        "Run history kept for this job: the prune_runs job deletes its finished runs beyond the newest N. null: the global policy (prune_runs' retention_days and keep_per_job) alone decides.",
    }),
  retention_max_age_days: z
    .number()
    .int()
    .min(RETENTION_LIMITS.maxAgeDays.min)
    .max(RETENTION_LIMITS.maxAgeDays.max)
    .nullable()
    .openapi({
      example: 14,
      description:
        'Run history kept for this job: the prune_runs job deletes its finished runs older than N days (instead of the global retention_days). null: the global age applies.',
    }),
};

export { RETENTION_LIMITS };

export const JobCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(120).openapi({ example: 'hello' }),
    func: z.string().min(1).max(200).openapi({ example: 'app.jobs.heartbeat:hello_job' }),
    description: withDefault(settings.description, ''),
    cron: settings.cron,
    timezone: withDefault(settings.timezone, 'UTC', 'IANA zone.'),
    args: withDefault(settings.args, [], 'Positional arguments: kept for the seed shape; must be empty.'),
    kwargs: withDefault(settings.kwargs, {}, "Keyword arguments, validated by the function's schema."),
    enabled: withDefault(settings.enabled, true),
    timeout_seconds: withDefault(settings.timeout_seconds, 300),
    max_retries: withDefault(settings.max_retries, 0),
    retry_backoff_seconds: withDefault(settings.retry_backoff_seconds, 30),
    overlap_policy: withDefault(settings.overlap_policy, 'skip'),
    misfire_policy: withDefault(settings.misfire_policy, 'run_once'),
    misfire_grace_seconds: withDefault(settings.misfire_grace_seconds, 60),
    misfire_max_catchup: withDefault(settings.misfire_max_catchup, 10),
    retention_max_runs: withDefault(settings.retention_max_runs, null),
    retention_max_age_days: withDefault(settings.retention_max_age_days, null),
  })
  .strict()
  .openapi('JobCreate');

export const JobUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    func: z.string().min(1).max(200).optional(),
    description: settings.description.optional(),
    cron: settings.cron.optional(),
    timezone: settings.timezone.optional(),
    args: settings.args.optional(),
    kwargs: settings.kwargs.optional(),
    enabled: settings.enabled.optional(),
    timeout_seconds: settings.timeout_seconds.optional(),
    max_retries: settings.max_retries.optional(),
    retry_backoff_seconds: settings.retry_backoff_seconds.optional(),
    overlap_policy: settings.overlap_policy.optional(),
    misfire_policy: settings.misfire_policy.optional(),
    misfire_grace_seconds: settings.misfire_grace_seconds.optional(),
    misfire_max_catchup: settings.misfire_max_catchup.optional(),
    retention_max_runs: settings.retention_max_runs.optional().openapi({
      description: 'Keep at most this many runs of the job; null clears it (the global policy decides).',
    }),
    retention_max_age_days: settings.retention_max_age_days.optional().openapi({
      description:
        'Keep runs of the job for at most this many days; null clears it (the global age applies).',
    }),
    version: z
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({ description: 'The version you edited (or send If-Match: "<version>")' }),
  })
  .strict()
  .openapi('JobUpdate');

export const JobLastRunSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(RUN_STATUSES),
    trigger: z.enum(RUN_TRIGGERS),
    scheduled_for: z.iso.datetime({ offset: true }),
    started_at: z.iso.datetime({ offset: true }).nullable(),
    finished_at: z.iso.datetime({ offset: true }).nullable(),
    duration_ms: z.number().int().nullable(),
  })
  .openapi('JobLastRun', { description: 'The most recent run of a job (on reads: get and list)' });

export const RunErrorSchema = z
  .object({ message: z.string(), stack: z.string().optional(), code: z.string().optional() })
  .openapi('RunError');

export const JobSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    func: z.string(),
    cron: z.string(),
    cron_description: z.string().nullable(),
    timezone: z.string(),
    args: z.array(z.unknown()),
    kwargs: z.record(z.string(), z.unknown()),
    enabled: z.boolean(),
    timeout_seconds: z.number().int(),
    max_retries: z.number().int(),
    retry_backoff_seconds: z.number().int(),
    overlap_policy: z.enum(OVERLAP_POLICIES),
    misfire_policy: z.enum(MISFIRE_POLICIES),
    misfire_grace_seconds: z.number().int(),
    misfire_max_catchup: z.number().int(),
    retention_max_runs: z.number().int().nullable().openapi({
      description: 'Most runs kept by prune_runs; null: the global policy (see retention_max_age_days)',
    }),
    retention_max_age_days: z.number().int().nullable().openapi({
      description: 'Oldest run kept by prune_runs, in days; null: the global retention_days',
    }),
    status: z.string().openapi({ description: `One of ${JOB_STATUSES.join(', ')}` }),
    last_run_at: z.iso.datetime({ offset: true }).nullable(),
    next_run_at: z.iso.datetime({ offset: true }).nullable(),
    version: z.number().int(),
    archived_at: z.iso.datetime({ offset: true }).nullable(),
    created_by: z.string().nullable(),
    updated_by: z.string().nullable(),
    created_at: z.iso.datetime({ offset: true }),
    updated_at: z.iso.datetime({ offset: true }),
    last_run: JobLastRunSchema.nullable().optional(),
  })
  .openapi('Job');

export const RunSchema = z
  .object({
    id: z.uuid(),
    job_id: z.uuid(),
    job_name: z.string().nullable(),
    scheduled_for: z.iso.datetime({ offset: true }),
    trigger: z.enum(RUN_TRIGGERS),
    status: z.enum(RUN_STATUSES),
    attempt: z.number().int(),
    retry_of: z.uuid().nullable(),
    idempotency_key: z.string().nullable(),
    replica_id: z.string().nullable(),
    requested_by: z.string().nullable(),
    not_before: z.iso.datetime({ offset: true }).nullable(),
    started_at: z.iso.datetime({ offset: true }).nullable(),
    finished_at: z.iso.datetime({ offset: true }).nullable(),
    duration_ms: z.number().int().nullable(),
    output: z.unknown().nullable(),
    error: RunErrorSchema.nullable(),
    note: z.string().nullable(),
    created_at: z.iso.datetime({ offset: true }),
  })
  .openapi('Run');

const page = z.coerce.number().int().min(1).default(1);
const pageSize = z.coerce.number().int().min(1).max(100).default(20);
const boolParam = z
  .enum(['true', 'false'])
  .transform((value) => value === 'true')
  .optional();

export const JOB_SORTS = [
  'name',
  '-name',
  'created_at',
  '-created_at',
  'updated_at',
  '-updated_at',
  'next_run_at',
  '-next_run_at',
  'last_run_at',
  '-last_run_at',
] as const;

export const JobListQuerySchema = z.object({
  page,
  page_size: pageSize,
  enabled: boolParam,
  status: z.string().max(32).optional(),
  func: z.string().max(200).optional(),
  q: z.string().max(120).optional().openapi({ description: 'Name contains (case-insensitive)' }),
  archived: z.enum(['exclude', 'include', 'only']).default('exclude'),
  sort: z.enum(JOB_SORTS).default('name'),
});

export const RunListQuerySchema = z.object({
  page,
  page_size: pageSize,
  status: z.enum(RUN_STATUSES).optional(),
  trigger: z.enum(RUN_TRIGGERS).optional(),
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'scheduled_for at or after' }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'scheduled_for before' }),
});

export const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      total: z.number().int(),
      page: z.number().int(),
      page_size: z.number().int(),
    })
    .openapi(name);

export const JobPageSchema = pageOf(JobSchema, 'JobPage');
export const RunPageSchema = pageOf(RunSchema, 'RunPage');

export type JobCreate = z.input<typeof JobCreateSchema>;
export type JobUpdate = z.input<typeof JobUpdateSchema>;
export type Job = z.infer<typeof JobSchema>;
export type Run = z.infer<typeof RunSchema>;
/** Already-parsed filters (the API validates the query string; the admin UI passes values). */
export type JobListQuery = Partial<z.output<typeof JobListQuerySchema>>;
export type RunListQuery = Partial<z.output<typeof RunListQuerySchema>>;
export type Page<T> = { items: T[]; total: number; page: number; page_size: number };
