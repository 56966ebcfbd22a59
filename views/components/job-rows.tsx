// The jobs table body: one row per job. The body re-fetches itself (htmx polling) so statuses stay live,
// and each row's enabled switch posts in place (htmx) or as a plain form (no JavaScript: redirect back).
import { CsrfField } from '../layouts/admin-layout.tsx';
import type { Job, Permissions } from '../types.ts';
import { formatDuration, formatWhen } from './format.ts';
import { StatusBadge } from './status-badge.tsx';
import { EmptyRow, LiveTableBody } from './table-body.tsx';

export const JOBS_POLL_SECONDS = 5;

export function JobRows(props: {
  jobs: Job[];
  can: Permissions;
  csrfToken: string;
  /** The fragment URL with the current filters, polled for live statuses. */
  pollUrl: string;
  /** Where a no-JS toggle redirects back to (the list with its filters). */
  returnTo: string;
}) {
  return (
    <LiveTableBody id="job-rows" pollUrl={props.pollUrl} everySeconds={JOBS_POLL_SECONDS}>
      {props.jobs.length === 0 ? (
        <EmptyRow columns={8} message="No jobs match." />
      ) : (
        props.jobs.map((job) => (
          <JobRow job={job} can={props.can} csrfToken={props.csrfToken} returnTo={props.returnTo} />
        ))
      )}
    </LiveTableBody>
  );
}

export function JobRow(props: { job: Job; can: Permissions; csrfToken: string; returnTo: string }) {
  const { job, can } = props;
  const lastRun = job.last_run;
  return (
    <tr id={`job-${job.id}`} data-job-name={job.name}>
      <th scope="row" data-label="Name">
        <a href={`/admin/jobs/${job.id}`}>{job.name}</a>
      </th>
      <td data-label="Function">
        <code>{job.func}</code>
      </td>
      <td data-label="Schedule">
        <code>{job.cron}</code>
        {job.cron_description ? <div class="hint">{job.cron_description}</div> : null}
      </td>
      <td data-label="Timezone">{job.timezone}</td>
      <td data-label="Enabled">
        {job.archived_at ? (
          <span class="hint">archived</span>
        ) : can.operate ? (
          <EnabledSwitch job={job} csrfToken={props.csrfToken} returnTo={props.returnTo} />
        ) : (
          <span>{job.enabled ? 'On' : 'Off'}</span>
        )}
      </td>
      <td data-label="Status">
        <StatusBadge status={job.archived_at ? 'archived' : job.status} />
      </td>
      <td data-label="Last run">
        {lastRun ? (
          <span>
            <StatusBadge status={lastRun.status} /> {formatWhen(lastRun.finished_at ?? lastRun.scheduled_for)}
            <span class="hint"> · {formatDuration(lastRun.duration_ms)}</span>
          </span>
        ) : (
          <span class="hint">never</span>
        )}
      </td>
      <td data-label="Next run">{formatWhen(job.next_run_at)}</td>
    </tr>
  );
}

export function EnabledSwitch(props: { job: Job; csrfToken: string; returnTo: string }) {
  const { job } = props;
  const action = `/admin/jobs/${job.id}/toggle`;
  return (
    <form method="post" action={action} hx-post={action} hx-target="closest tr" hx-swap="outerHTML">
      <CsrfField token={props.csrfToken} />
      <input type="hidden" name="enabled" value={job.enabled ? 'false' : 'true'} />
      <input type="hidden" name="return_to" value={props.returnTo} />
      <button
        type="submit"
        class={`switch ${job.enabled ? 'on' : 'off'}`}
        role="switch"
        aria-checked={job.enabled ? 'true' : 'false'}
        aria-label={`Enabled: ${job.name}`}
      >
        {job.enabled ? 'On' : 'Off'}
      </button>
    </form>
  );
}
