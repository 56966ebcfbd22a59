import { TableFrame } from '../components/data-table.tsx';
import { JobRows } from '../components/job-rows.tsx';
import { Pagination } from '../components/pagination.tsx';
import { AdminLayout, CsrfField } from '../layouts/admin-layout.tsx';
import type { Job, PageChrome, PageLinks } from '../types.ts';

export interface JobFilters {
  q: string;
  status: string;
  enabled: string;
  func: string;
  archived: string;
}

export function JobsPage(props: {
  chrome: PageChrome;
  assetVersion: string;
  jobs: Job[];
  filters: JobFilters;
  statuses: readonly string[];
  functions: string[];
  links: PageLinks;
  pollUrl: string;
  returnTo: string;
  /** No job exists at all (archived ones included): explain jobs instead of showing an empty filter result. */
  firstRun?: boolean;
}) {
  const { filters, chrome } = props;
  if (props.firstRun) {
    return (
      <AdminLayout title="Jobs" chrome={chrome} section="jobs" assetVersion={props.assetVersion}>
        <h1>Scheduled jobs</h1>
        <FirstRun chrome={chrome} functions={props.functions} />
      </AdminLayout>
    );
  }
  return (
    <AdminLayout title="Jobs" chrome={chrome} section="jobs" assetVersion={props.assetVersion}>
      <div class="page-head">
        <h1>Scheduled jobs</h1>
        {chrome.can.administer ? (
          <a class="button" href="/admin/jobs/new">
            New job
          </a>
        ) : null}
      </div>
      <form method="get" action="/admin/jobs" class="filters">
        <div>
          <label for="q">Name contains</label>
          <input id="q" name="q" type="search" value={filters.q} maxlength={120} />
        </div>
        <div>
          <label for="status">Status</label>
          <select id="status" name="status">
            <option value="">any</option>
            {props.statuses.map((s) => (
              <option value={s} selected={filters.status === s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="enabled">Enabled</label>
          <select id="enabled" name="enabled">
            <option value="">any</option>
            <option value="true" selected={filters.enabled === 'true'}>
              on
            </option>
            <option value="false" selected={filters.enabled === 'false'}>
              off
            </option>
          </select>
        </div>
        <div>
          <label for="func">Function</label>
          <select id="func" name="func">
            <option value="">any</option>
            {props.functions.map((f) => (
              <option value={f} selected={filters.func === f}>
                {f}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="archived">Archived</label>
          <select id="archived" name="archived">
            <option value="exclude" selected={filters.archived === 'exclude'}>
              hide
            </option>
            <option value="include" selected={filters.archived === 'include'}>
              show too
            </option>
            <option value="only" selected={filters.archived === 'only'}>
              only archived
            </option>
          </select>
        </div>
        <div class="filter-actions">
          <button type="submit" class="button secondary">
            Filter
          </button>
        </div>
      </form>
      <TableFrame
        caption="Scheduled jobs (statuses refresh every few seconds)"
        columns={['Name', 'Function', 'Schedule', 'Timezone', 'Enabled', 'Status', 'Last run', 'Next run']}
        variant="jobs"
      >
        <JobRows
          jobs={props.jobs}
          can={chrome.can}
          csrfToken={chrome.csrfToken}
          pollUrl={props.pollUrl}
          returnTo={props.returnTo}
        />
      </TableFrame>
      <Pagination links={props.links} label="Jobs pages" />
    </AdminLayout>
  );
}

/** A fresh install's jobs page: what a job is, how to make the first one, and example jobs to start from. */
function FirstRun(props: { chrome: PageChrome; functions: string[] }) {
  const { chrome } = props;
  return (
    <section class="card first-run" aria-labelledby="first-run-title">
      <h2 id="first-run-title">No jobs yet</h2>
      <p>
        A <strong>job</strong> runs one of this build's functions on a cron schedule (in a timezone you
        choose), with the arguments you give it. Every run is recorded with its status, duration and output or
        error, and a run can be started by hand with <em>Run now</em>. Jobs are never deleted, only archived.
      </p>
      <p>The functions this build can run:</p>
      <ul class="function-list">
        {props.functions.map((key) => (
          <li>
            <code>{key}</code>
          </li>
        ))}
      </ul>
      {chrome.can.administer ? (
        <div class="actions">
          <a class="button" href="/admin/jobs/new">
            New job
          </a>
          <form method="post" action="/admin/jobs/examples" class="inline">
            <CsrfField token={chrome.csrfToken} />
            <button type="submit" class="button secondary">
              Add example jobs
            </button>
          </form>
        </div>
      ) : (
        <p>Ask an admin to create the first job.</p>
      )}
      {chrome.can.administer ? (
        <p class="hint">
          The examples (a heartbeat, run-history pruning, an HTTP check, a file clean-up report) are added
          disabled: nothing runs until you enable one.
        </p>
      ) : null}
    </section>
  );
}
