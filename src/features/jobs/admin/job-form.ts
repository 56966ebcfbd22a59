// The create/edit form ↔ the jobs contract. Form fields arrive as strings; they become a JobCreate/JobUpdate
// input that the jobs service validates with the same zod schemas (and the function's args schema) as the
// API, and the service's issues come back as messages per form field.

import type { FieldErrors, JobFormValues } from '../../../../views/pages/job-form-page.tsx';
import type { ValidationIssue } from '../../../http/validation.ts';
import { type Job, type JobCreate, JobCreateSchema } from '../jobs.schemas.ts';

/** A new job's form: the defaults come from the create schema itself, so the form and the API agree. */
export function defaultFormValues(): JobFormValues {
  const shape = JobCreateSchema.shape;
  const text = (schema: { parse(value: unknown): unknown }) => String(schema.parse(undefined));
  return {
    name: '',
    description: text(shape.description),
    func: '',
    kwargs: JSON.stringify(shape.kwargs.parse(undefined)),
    cron: '',
    timezone: text(shape.timezone),
    enabled: shape.enabled.parse(undefined),
    timeout_seconds: text(shape.timeout_seconds),
    max_retries: text(shape.max_retries),
    retry_backoff_seconds: text(shape.retry_backoff_seconds),
    overlap_policy: text(shape.overlap_policy),
    misfire_policy: text(shape.misfire_policy),
    misfire_grace_seconds: text(shape.misfire_grace_seconds),
    misfire_max_catchup: text(shape.misfire_max_catchup),
  };
}

export function formValuesFromJob(job: Job): JobFormValues {
  return {
    name: job.name,
    description: job.description,
    func: job.func,
    kwargs: JSON.stringify(job.kwargs, null, 2),
    cron: job.cron,
    timezone: job.timezone,
    enabled: job.enabled,
    timeout_seconds: String(job.timeout_seconds),
    max_retries: String(job.max_retries),
    retry_backoff_seconds: String(job.retry_backoff_seconds),
    overlap_policy: job.overlap_policy,
    misfire_policy: job.misfire_policy,
    misfire_grace_seconds: String(job.misfire_grace_seconds),
    misfire_max_catchup: String(job.misfire_max_catchup),
  };
}

export function formValuesFromBody(body: Record<string, unknown>): JobFormValues {
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
  return {
    name: text('name'),
    description: text('description'),
    func: text('func'),
    kwargs: text('kwargs'),
    cron: text('cron'),
    timezone: text('timezone'),
    enabled: text('enabled') === 'true',
    timeout_seconds: text('timeout_seconds'),
    max_retries: text('max_retries'),
    retry_backoff_seconds: text('retry_backoff_seconds'),
    overlap_policy: text('overlap_policy'),
    misfire_policy: text('misfire_policy'),
    misfire_grace_seconds: text('misfire_grace_seconds'),
    misfire_max_catchup: text('misfire_max_catchup'),
  };
}

const NUMBER_FIELDS = [
  'timeout_seconds',
  'max_retries',
  'retry_backoff_seconds',
  'misfire_grace_seconds',
  'misfire_max_catchup',
] as const;

/**
 * The service input for the form's values. A number field that is not a number is passed on as text, so the
 * schema reports it like any other problem; arguments that are not a JSON object are reported here.
 */
export function jobInputFromForm(values: JobFormValues): { input: JobCreate; errors: FieldErrors } {
  const errors: FieldErrors = {};
  let kwargs: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(values.kwargs.trim() || '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      errors.kwargs = ['Arguments must be a JSON object, e.g. {"message": "hi"}'];
    } else {
      kwargs = parsed as Record<string, unknown>;
    }
  } catch (error) {
    errors.kwargs = [`Arguments are not valid JSON: ${(error as Error).message}`];
  }
  const numbers: Record<string, unknown> = {};
  for (const field of NUMBER_FIELDS) {
    const raw = values[field].trim();
    numbers[field] = raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  const input = {
    name: values.name,
    description: values.description,
    func: values.func,
    kwargs,
    cron: values.cron,
    timezone: values.timezone,
    enabled: values.enabled,
    overlap_policy: values.overlap_policy,
    misfire_policy: values.misfire_policy,
    ...numbers,
  } as JobCreate;
  return { input, errors };
}

/** Service issues by form field: `kwargs.url` becomes "url: …" under the arguments editor. */
export function fieldErrorsFromIssues(issues: ValidationIssue[], into: FieldErrors = {}): FieldErrors {
  for (const issue of issues) {
    const path = issue.path ?? '';
    const [head, ...rest] = path.split('.');
    const field = head === 'args' ? 'kwargs' : head || 'form';
    const message = field === 'kwargs' && rest.length ? `${rest.join('.')}: ${issue.message}` : issue.message;
    into[field] = [...(into[field] ?? []), message];
  }
  return into;
}
