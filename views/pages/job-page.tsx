// One job: its settings, the actions the user may take (no delete: jobs are archived), and its run history.
import { TableFrame } from '../components/data-table.tsx';
import { formatJson, formatWhen } from '../components/format.ts';
import { EnabledSwitch } from '../components/job-rows.tsx';
import { Pagination } from '../components/pagination.tsx';
import { RunRows } from '../components/run-rows.tsx';
import { RunStrip } from '../components/run-strip.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { AdminLayout, CsrfField } from '../layouts/admin-layout.tsx';
import type { Job, PageChrome, PageLinks, Run } from '../types.ts';

function ActionForm(props: { action: string; label: string; csrfToken: string; tone?: string }) {
  return (
    <form method="post" action={props.action} class="inline">
      <CsrfField token={props.csrfToken} />
      <button type="submit" class={`button ${props.tone ?? ''}`}>
        {props.label}
      </button>
    </form>
  );
}

/** What prune_runs keeps of this job: its own limits, falling back to the global age per field. */
export function retentionText(job: Job, globalRetentionDays: number): string {
  const runs = job.retention_max_runs;
  const days = job.retention_max_age_days;
  const count = runs === null ? '' : `the newest ${runs} run${runs === 1 ? '' : 's'}`;
  if (days !== null)
    return `${count ? `${count}, each for` : 'runs for'} at most ${days} day${days === 1 ? '' : 's'}`;
  const global = `global policy: runs older than ${globalRetentionDays} days (RUN_RETENTION_DAYS) go, except each job's newest keep_per_job (default 20)`;
  return count ? `${count}, within the ${global}` : `the ${global}`;
}

export function JobPage(props: {
  chrome: PageChrome;
  assetVersion: string;
  job: Job;
  runs: Run[];
  /** The newest runs whatever the filter, for the strip. */
  recentRuns: Run[];
  runStatus: string;
  runStatuses: readonly string[];
  links: PageLinks;
  pollUrl: string;
  returnTo: string;
  /** RUN_RETENTION_DAYS: the age prune_runs applies to jobs without one of their own. */
  globalRetentionDays: number;
}) {
  const { job, chrome } = props;
  const base = `/admin/jobs/${job.id}`;
  const archived = Boolean(job.archived_at);
  return (
    <AdminLayout title={job.name} chrome={chrome} section="jobs" assetVersion={props.assetVersion}>
      <p>
        <a href="/admin/jobs">← All jobs</a>
      </p>
      <div class="page-head">
        <h1>{job.name}</h1>
        <StatusBadge status={archived ? 'archived' : job.status} />
      </div>
      {job.description ? <p>{job.description}</p> : null}
      <section class="actions" aria-label="Job actions">
        {chrome.can.operate && !archived ? (
          <>
            <ActionForm action={`${base}/run`} label="Run now" csrfToken={chrome.csrfToken} />
            <EnabledSwitch job={job} csrfToken={chrome.csrfToken} returnTo={base} />
          </>
        ) : null}
        {chrome.can.administer && !archived ? (
          <a class="button secondary" href={`${base}/edit`}>
            Edit
          </a>
        ) : null}
        {chrome.can.administer ? (
          archived ? (
            <ActionForm
              action={`${base}/unarchive`}
              label="Unarchive"
              csrfToken={chrome.csrfToken}
              tone="secondary"
            />
          ) : (
            <ActionForm action={`${base}/archive`} label="Archive" csrfToken={chrome.csrfToken} tone="warn" />
          )
        ) : null}
      </section>
      <dl class="details">
        <dt>Function</dt>
        <dd>
          <code>{job.func}</code>
        </dd>
        <dt>Arguments</dt>
        <dd>
          <pre>{formatJson(job.kwargs)}</pre>
        </dd>
        <dt>Schedule</dt>
        <dd>
          <code>{job.cron}</code> {job.cron_description ? `(${job.cron_description})` : ''} in {job.timezone}
        </dd>
        <dt>Enabled</dt>
        <dd>{job.enabled ? 'yes' : 'no'}</dd>
        <dt>Next run</dt>
        <dd>{formatWhen(job.next_run_at)}</dd>
        <dt>Last run</dt>
        <dd>{formatWhen(job.last_run_at)}</dd>
        <dt>Timeout</dt>
        <dd>{job.timeout_seconds} s</dd>
        <dt>Retries</dt>
        <dd>
          {job.max_retries} (backoff {job.retry_backoff_seconds} s)
        </dd>
        <dt>Overlap / misfire</dt>
        <dd>
          {job.overlap_policy} / {job.misfire_policy} (grace {job.misfire_grace_seconds} s, catch up at most{' '}
          {job.misfire_max_catchup})
        </dd>
        <dt>Run history kept</dt>
        <dd id="retention">{retentionText(job, props.globalRetentionDays)}</dd>
        <dt>Version</dt>
        <dd>
          {job.version}, updated {formatWhen(job.updated_at)} by {job.updated_by ?? '—'}
        </dd>
        {archived ? (
          <>
            <dt>Archived</dt>
            <dd>{formatWhen(job.archived_at)}</dd>
          </>
        ) : null}
      </dl>
      <h2 id="recent">Last {props.recentRuns.length} runs</h2>
      <RunStrip runs={props.recentRuns} jobName={job.name} />
      <h2 id="runs">Runs</h2>
      <form method="get" action={base} class="filters">
        <div>
          <label for="run-status">Run status</label>
          <select id="run-status" name="status">
            <option value="">any</option>
            {props.runStatuses.map((s) => (
              <option value={s} selected={props.runStatus === s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="filter-actions">
          <button type="submit" class="button secondary">
            Filter
          </button>
        </div>
      </form>
      <TableFrame
        caption={`Runs of ${job.name} (refresh every few seconds)`}
        columns={['Status', 'Trigger', 'Scheduled for', 'Finished', 'Duration', 'Output or error']}
        variant="runs"
      >
        <RunRows
          runs={props.runs}
          can={chrome.can}
          csrfToken={chrome.csrfToken}
          pollUrl={props.pollUrl}
          returnTo={props.returnTo}
        />
      </TableFrame>
      <Pagination links={props.links} label="Run pages" />
    </AdminLayout>
  );
}
