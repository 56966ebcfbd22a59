// Create and edit: every field labelled, each with the server's message for it. The cron field asks for a
// preview as you type; the function picker swaps in the chosen function's arguments (both via htmx, and both
// rendered on the server too, so the form works without JavaScript).

import { RETENTION_LIMITS } from '../../src/features/jobs/jobs.schemas.ts';
import { ArgsEditor, type ArgsEditorProps } from '../components/args-form.tsx';
import { CronPreview } from '../components/cron-preview.tsx';
import { formatJson } from '../components/format.ts';
import { AdminLayout, CsrfField } from '../layouts/admin-layout.tsx';
import type { CronPreviewView, FunctionView, Job, PageChrome } from '../types.ts';

export interface JobFormValues {
  name: string;
  description: string;
  func: string;
  kwargs: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  timeout_seconds: string;
  max_retries: string;
  retry_backoff_seconds: string;
  overlap_policy: string;
  misfire_policy: string;
  misfire_grace_seconds: string;
  misfire_max_catchup: string;
  /** Empty: no limit of the job's own (the global prune policy). */
  retention_max_runs: string;
  retention_max_age_days: string;
}

/** Field name → messages. Argument problems are under "kwargs" (prefixed with the argument's name). */
export type FieldErrors = Record<string, string[]>;

const CONFLICT_FIELDS: (keyof Job)[] = [
  'name',
  'description',
  'func',
  'kwargs',
  'cron',
  'timezone',
  'enabled',
  'timeout_seconds',
  'max_retries',
  'retry_backoff_seconds',
  'overlap_policy',
  'misfire_policy',
  'misfire_grace_seconds',
  'misfire_max_catchup',
  'retention_max_runs',
  'retention_max_age_days',
];

function FieldError(props: { id: string; errors: FieldErrors; field: string }) {
  const messages = props.errors[props.field];
  if (!messages?.length) return null;
  return (
    <p class="field-error" id={props.id}>
      {messages.join('; ')}
    </p>
  );
}

function NumberField(props: {
  name: keyof JobFormValues;
  label: string;
  values: JobFormValues;
  errors: FieldErrors;
  min: number;
  max: number;
  /** May be left empty (then `hint` says what empty means). */
  optional?: boolean;
  hint?: string;
}) {
  const errorId = `${props.name}-error`;
  const hintId = `${props.name}-hint`;
  const invalid = Boolean(props.errors[props.name]?.length);
  const describedBy = [props.hint ? hintId : '', invalid ? errorId : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={props.name}>{props.label}</label>
      <input
        id={props.name}
        name={props.name}
        type="number"
        inputmode="numeric"
        min={props.min}
        max={props.max}
        required={!props.optional}
        value={String(props.values[props.name])}
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
      />
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      <FieldError id={errorId} errors={props.errors} field={props.name} />
    </div>
  );
}

/** The numeric settings, in form order (the limits match the jobs schema's). */
const NUMBER_FIELDS: { name: keyof JobFormValues; label: string; min: number; max: number }[] = [
  { name: 'timeout_seconds', label: 'Timeout (seconds)', min: 1, max: 86_400 },
  { name: 'max_retries', label: 'Retries', min: 0, max: 100 },
  { name: 'retry_backoff_seconds', label: 'Retry backoff (seconds)', min: 0, max: 86_400 },
  { name: 'misfire_grace_seconds', label: 'Misfire grace (seconds)', min: 0, max: 604_800 },
  { name: 'misfire_max_catchup', label: 'Most missed runs to catch up', min: 1, max: 1000 },
];

/** The job's own run-history retention (bounds from the schema's RETENTION_LIMITS); empty clears a limit. */
const RETENTION_FIELDS: {
  name: keyof JobFormValues;
  label: string;
  min: number;
  max: number;
  hint: string;
}[] = [
  {
    name: 'retention_max_runs',
    label: 'Keep at most (runs)',
    ...RETENTION_LIMITS.maxRuns,
    hint: 'Older runs beyond this many are deleted by prune_runs. Empty: no count limit of its own.',
  },
  {
    name: 'retention_max_age_days',
    label: 'Keep runs for (days)',
    ...RETENTION_LIMITS.maxAgeDays,
    hint: 'Runs older than this are deleted by prune_runs. Empty: the global retention (RUN_RETENTION_DAYS).',
  },
];

function PolicyField(props: {
  name: 'overlap_policy' | 'misfire_policy';
  label: string;
  hint: string;
  options: readonly string[];
  values: JobFormValues;
  errors: FieldErrors;
}) {
  return (
    <div class="field">
      <label for={props.name}>{props.label}</label>
      <select id={props.name} name={props.name}>
        {props.options.map((option) => (
          <option value={option} selected={props.values[props.name] === option}>
            {option}
          </option>
        ))}
      </select>
      <p class="hint">{props.hint}</p>
      <FieldError id={`${props.name}-error`} errors={props.errors} field={props.name} />
    </div>
  );
}

export function JobFormPage(props: {
  chrome: PageChrome;
  assetVersion: string;
  /** Present when editing. */
  job?: { id: string; version: number; name: string } | undefined;
  values: JobFormValues;
  errors: FieldErrors;
  /** A general message above the form (e.g. "The job is not valid"). */
  formError?: string | undefined;
  /** Set when someone else saved first: their values, shown beside the form. */
  conflict?: Job | undefined;
  functions: FunctionView[];
  timezones: string[];
  overlapPolicies: readonly string[];
  misfirePolicies: readonly string[];
  preview: CronPreviewView | null;
  /** The chosen function's arguments editor (typed form and JSON). */
  args: ArgsEditorProps;
}) {
  const { values, errors, job, chrome } = props;
  const action = job ? `/admin/jobs/${job.id}` : '/admin/jobs';
  const title = job ? `Edit ${job.name}` : 'New job';
  const invalid = (field: string) => (errors[field]?.length ? 'true' : undefined);
  return (
    <AdminLayout title={title} chrome={chrome} section="jobs" assetVersion={props.assetVersion}>
      <h1>{title}</h1>
      {props.formError ? (
        <p class="alert" role="alert">
          {props.formError}
        </p>
      ) : null}
      {props.conflict ? (
        <section class="conflict" aria-labelledby="conflict-title">
          <h2 id="conflict-title">Someone else changed this job</h2>
          <p>
            It is now at version {props.conflict.version} (changed by {props.conflict.updated_by ?? 'unknown'}
            ). Your values are still in the form; the newer saved values are:
          </p>
          <dl class="conflict-values">
            {CONFLICT_FIELDS.map((field) => (
              <>
                <dt>{field}</dt>
                <dd>
                  <code>
                    {typeof props.conflict![field] === 'object'
                      ? formatJson(props.conflict![field])
                      : String(props.conflict![field])}
                  </code>
                </dd>
              </>
            ))}
          </dl>
          <p>Saving again applies your values on top of version {props.conflict.version}.</p>
        </section>
      ) : null}
      <form method="post" action={action} class="job-form" novalidate>
        {/* The first submit button is the one Enter presses: saving, never "Add row". Out of the tab order and
            the accessibility tree: the visible button at the end is the one people use. */}
        {/* biome-ignore lint/a11y/noAriaHiddenOnFocusable: tabindex -1 and off-screen; only Enter's default */}
        <button type="submit" class="default-submit" tabindex={-1} aria-hidden="true">
          {job ? 'Save changes' : 'Create job'}
        </button>
        <CsrfField token={chrome.csrfToken} />
        {job ? (
          <input type="hidden" name="version" value={String(props.conflict?.version ?? job.version)} />
        ) : null}
        <fieldset>
          <legend>Job</legend>
          <div class="field">
            <label for="name">Name</label>
            <input
              id="name"
              name="name"
              required
              maxlength={120}
              value={values.name}
              aria-invalid={invalid('name')}
              aria-describedby={invalid('name') ? 'name-error' : undefined}
            />
            <FieldError id="name-error" errors={errors} field="name" />
          </div>
          <div class="field">
            <label for="description">Description</label>
            <input id="description" name="description" maxlength={2000} value={values.description} />
            <FieldError id="description-error" errors={errors} field="description" />
          </div>
          <div class="field">
            <label for="enabled">
              <input id="enabled" name="enabled" type="checkbox" value="true" checked={values.enabled} />{' '}
              Enabled
            </label>
          </div>
        </fieldset>
        <fieldset>
          <legend>Function and arguments</legend>
          <div class="field">
            <label for="func">Function</label>
            <select
              id="func"
              name="func"
              required
              hx-get="/admin/function-args"
              hx-trigger="change"
              hx-target="#args-editor"
              hx-swap="outerHTML"
              aria-invalid={invalid('func')}
              aria-describedby={invalid('func') ? 'func-error' : undefined}
            >
              <option value="">Choose a function…</option>
              {props.functions.map((fn) => (
                <option value={fn.key} selected={fn.key === values.func}>
                  {fn.key}
                </option>
              ))}
            </select>
            <FieldError id="func-error" errors={errors} field="func" />
          </div>
          <ArgsEditor {...props.args} />
        </fieldset>
        <fieldset>
          <legend>Schedule</legend>
          <div class="field">
            <label for="cron">Cron expression</label>
            <input
              id="cron"
              name="cron"
              required
              maxlength={64}
              value={values.cron}
              autocomplete="off"
              spellcheck={false}
              hx-get="/admin/cron-preview"
              hx-trigger="input changed delay:300ms"
              hx-include="#timezone"
              hx-target="#cron-preview"
              hx-swap="outerHTML"
              aria-invalid={invalid('cron')}
              aria-describedby="cron-help cron-preview"
            />
            <p class="hint" id="cron-help">
              5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds.
            </p>
            <FieldError id="cron-error" errors={errors} field="cron" />
            <CronPreview preview={props.preview} />
          </div>
          <div class="field">
            <label for="timezone">Timezone (IANA)</label>
            <input
              id="timezone"
              name="timezone"
              required
              list="timezones"
              value={values.timezone}
              hx-get="/admin/cron-preview"
              hx-trigger="change"
              hx-include="#cron"
              hx-target="#cron-preview"
              hx-swap="outerHTML"
              aria-invalid={invalid('timezone')}
              aria-describedby={invalid('timezone') ? 'timezone-error' : undefined}
            />
            <datalist id="timezones">
              {props.timezones.map((tz) => (
                <option value={tz} />
              ))}
            </datalist>
            <FieldError id="timezone-error" errors={errors} field="timezone" />
          </div>
        </fieldset>
        <fieldset>
          <legend>Limits and policies</legend>
          <div class="grid">
            {NUMBER_FIELDS.slice(0, 3).map((field) => (
              <NumberField {...field} values={values} errors={errors} />
            ))}
            <PolicyField
              name="overlap_policy"
              label="Overlap policy"
              hint="When a tick comes while a run is still going: skip it, allow both, or queue one."
              options={props.overlapPolicies}
              values={values}
              errors={errors}
            />
            <PolicyField
              name="misfire_policy"
              label="Misfire policy"
              hint="Ticks missed while no replica ran: skip them, run once, or run each."
              options={props.misfirePolicies}
              values={values}
              errors={errors}
            />
            {NUMBER_FIELDS.slice(3).map((field) => (
              <NumberField {...field} values={values} errors={errors} />
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend>Run history</legend>
          <p class="hint">
            Finished runs of this job that the prune_runs job deletes. Queued and running runs are always
            kept.
          </p>
          <div class="grid">
            {RETENTION_FIELDS.map((field) => (
              <NumberField {...field} optional values={values} errors={errors} />
            ))}
          </div>
        </fieldset>
        <div class="form-actions">
          <button type="submit" class="button">
            {job ? 'Save changes' : 'Create job'}
          </button>
          <a href={job ? `/admin/jobs/${job.id}` : '/admin/jobs'}>Cancel</a>
        </div>
      </form>
    </AdminLayout>
  );
}
