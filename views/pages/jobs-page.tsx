import { JobRows } from '../components/job-rows.tsx';
import { Pagination } from '../components/pagination.tsx';
import { AdminLayout } from '../layouts/admin-layout.tsx';
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
}) {
  const { filters, chrome } = props;
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
      <div class="table-wrap">
        <table class="data jobs">
          <caption class="visually-hidden">Scheduled jobs (statuses refresh every few seconds)</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Function</th>
              <th scope="col">Schedule</th>
              <th scope="col">Timezone</th>
              <th scope="col">Enabled</th>
              <th scope="col">Status</th>
              <th scope="col">Last run</th>
              <th scope="col">Next run</th>
            </tr>
          </thead>
          <JobRows
            jobs={props.jobs}
            can={chrome.can}
            csrfToken={chrome.csrfToken}
            pollUrl={props.pollUrl}
            returnTo={props.returnTo}
          />
        </table>
      </div>
      <Pagination links={props.links} label="Jobs pages" />
    </AdminLayout>
  );
}
