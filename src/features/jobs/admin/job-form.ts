// The create/edit form ↔ the jobs contract. Form fields arrive as strings; they become a JobCreate/JobUpdate
// input that the jobs service validates with the same zod schemas (and the function's args schema) as the
// API, and the service's issues come back as messages per form field.

import type { ArgsEditorProps, ArgsMode } from '../../../../views/components/args-form.tsx';
import type { FieldErrors, JobFormValues } from '../../../../views/pages/job-form-page.tsx';
import type { FunctionView } from '../../../../views/types.ts';
import type { ValidationIssue } from '../../../http/validation.ts';
import {
  addRowTarget,
  argErrorsFromIssues,
  argsFormFor,
  defaultArgs,
  kwargsFromForm,
  type PostedFields,
  withoutTypedSecrets,
} from '../args-form.ts';
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
    retention_max_runs: '',
    retention_max_age_days: '',
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
    retention_max_runs: job.retention_max_runs === null ? '' : String(job.retention_max_runs),
    retention_max_age_days: job.retention_max_age_days === null ? '' : String(job.retention_max_age_days),
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
    retention_max_runs: text('retention_max_runs'),
    retention_max_age_days: text('retention_max_age_days'),
  };
}

const NUMBER_FIELDS = [
  'timeout_seconds',
  'max_retries',
  'retry_backoff_seconds',
  'misfire_grace_seconds',
  'misfire_max_catchup',
] as const;

/** Number fields that may be left empty: empty is null (the limit is cleared). */
const OPTIONAL_NUMBER_FIELDS = ['retention_max_runs', 'retention_max_age_days'] as const;

/**
 * The service input for the form's values. A number field that is not a number is passed on as text, so the
 * schema reports it like any other problem; arguments that are not a JSON object are reported here.
 */
export function jobInputFromForm(
  values: JobFormValues,
  /** The arguments read from the typed form; without them the JSON text is used. */
  fromForm?: Record<string, unknown>,
): { input: JobCreate; errors: FieldErrors } {
  const errors: FieldErrors = {};
  let kwargs: Record<string, unknown> = fromForm ?? {};
  if (!fromForm) {
    const parsed = kwargsFromJsonText(values.kwargs);
    if (parsed.ok) kwargs = parsed.kwargs;
    else errors.kwargs = [parsed.message];
  }
  const numbers: Record<string, unknown> = {};
  const numberOrText = (raw: string) => (raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw);
  for (const field of NUMBER_FIELDS) numbers[field] = numberOrText(values[field].trim());
  for (const field of OPTIONAL_NUMBER_FIELDS) {
    const raw = values[field].trim();
    numbers[field] = raw === '' ? null : numberOrText(raw);
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

/** The JSON editor's text as kwargs: an object, or the reason it is not one. */
export function kwargsFromJsonText(
  text: string,
): { ok: true; kwargs: Record<string, unknown> } | { ok: false; message: string } {
  try {
    const parsed: unknown = JSON.parse(text.trim() || '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { ok: false, message: 'Arguments must be a JSON object, e.g. {"message": "hi"}' };
    }
    return { ok: true, kwargs: parsed as Record<string, unknown> };
  } catch (error) {
    return { ok: false, message: `Arguments are not valid JSON: ${(error as Error).message}` };
  }
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

/** The arguments editor between requests: what it shows, in which mode, with which messages. */
export interface ArgsState {
  mode: ArgsMode;
  values: Record<string, unknown>;
  errors: Record<string, string[]>;
  raw: Record<string, string>;
  spare: Record<string, number>;
  json: string;
  jsonErrors: string[];
}

const jsonText = (value: unknown) => JSON.stringify(value, null, 2);

/** A fresh editor for a function: its defaults in the form and in the JSON text. */
export function argsStateFor(fn: FunctionView | undefined, kwargs?: Record<string, unknown>): ArgsState {
  const values = kwargs ?? (fn ? defaultArgs(argsFormFor(fn.args_schema)) : {});
  return { mode: 'form', values, errors: {}, raw: {}, spare: {}, json: jsonText(values), jsonErrors: [] };
}

export function argsEditorProps(fn: FunctionView | undefined, state: ArgsState): ArgsEditorProps {
  return { fn, fields: fn ? argsFormFor(fn.args_schema) : [], ...state };
}

export type ArgsPost =
  /** Save with these kwargs (from the form or the JSON text). */
  | { action: 'save'; state: ArgsState; kwargs: Record<string, unknown> | undefined }
  /** Show the form again without saving: a row was asked for, or the function changed without JavaScript. */
  | { action: 'show'; state: ArgsState; message?: string };

/** Reads the arguments part of a posted job form (the rest is formValuesFromBody's). */
export function readArgsPost(
  fn: FunctionView | undefined,
  posted: PostedFields,
  values: JobFormValues,
): ArgsPost {
  const last = (name: string) => posted.get(name)?.at(-1);
  // The page always says which editor is in use; a post without args_mode (a script that only knows the
  // JSON field) is read as JSON.
  const mode: ArgsMode = last('args_mode') === 'form' ? 'form' : 'json';
  if (!fn) {
    return {
      action: 'save',
      state: { ...argsStateFor(undefined), mode, json: values.kwargs },
      kwargs: undefined,
    };
  }
  const fields = argsFormFor(fn.args_schema);
  if (mode === 'json') {
    const parsed = kwargsFromJsonText(values.kwargs);
    const state: ArgsState = {
      ...argsStateFor(fn, parsed.ok ? parsed.kwargs : undefined),
      mode,
      json: values.kwargs,
      jsonErrors: parsed.ok ? [] : [parsed.message],
    };
    return { action: 'save', state, kwargs: undefined };
  }
  // The fields on the page belong to another function (it was changed with JavaScript off): start over.
  if (last('args_func') !== fn.key) {
    return {
      action: 'show',
      state: argsStateFor(fn),
      message: `Fill in the arguments of ${fn.key}, then save.`,
    };
  }
  const parsed = kwargsFromForm(fields, posted);
  const state: ArgsState = {
    mode,
    values: parsed.kwargs,
    errors: parsed.errors,
    raw: parsed.raw,
    spare: {},
    json: jsonText(withoutTypedSecrets(fields, parsed.kwargs)),
    jsonErrors: [],
  };
  const addTo = addRowTarget(last('_form_action'));
  if (addTo) return { action: 'show', state: { ...state, spare: { [addTo]: 1 } } };
  return { action: 'save', state, kwargs: parsed.kwargs };
}

/** Puts the service's argument issues where the editor shows them: beside fields, or under the JSON. */
export function withArgIssues(state: ArgsState, issues: ValidationIssue[]): ArgsState {
  const byPath = argErrorsFromIssues(issues);
  if (state.mode === 'json') {
    const lines = Object.entries(byPath).flatMap(([path, messages]) =>
      messages.map((message) => (path ? `${path}: ${message}` : message)),
    );
    return { ...state, jsonErrors: [...state.jsonErrors, ...lines] };
  }
  const errors = { ...state.errors };
  for (const [path, messages] of Object.entries(byPath))
    errors[path] = [...(errors[path] ?? []), ...messages];
  return { ...state, errors };
}
