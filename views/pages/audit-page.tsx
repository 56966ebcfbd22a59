// Who changed what and when, newest first, with the before and after values of each change.
import { formatJson, formatWhen } from '../components/format.ts';
import { Pagination } from '../components/pagination.tsx';
import { EmptyRow } from '../components/table-body.tsx';
import { AdminLayout } from '../layouts/admin-layout.tsx';
import type { AuditEntryView, PageChrome, PageLinks } from '../types.ts';

/** The filter form's values as typed (times are `datetime-local` text, read as UTC). */
export interface AuditFilterValues {
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  from: string;
  to: string;
}

const TARGET_TYPES = ['scheduled_job', 'job_run', 'user', 'api_token', 'file', 'alert_channel'];

function AuditFilters(props: { filters: AuditFilterValues; actions: string[] }) {
  const { filters } = props;
  return (
    <form method="get" action="/admin/audit" class="filters" aria-label="Filter the audit log">
      <div>
        <label for="actor">Who</label>
        <input id="actor" name="actor" value={filters.actor} maxlength={120} autocomplete="off" />
      </div>
      <div>
        <label for="action">Action</label>
        <input
          id="action"
          name="action"
          value={filters.action}
          list="audit-actions"
          maxlength={64}
          autocomplete="off"
          aria-describedby="action-hint"
        />
        <datalist id="audit-actions">
          {props.actions.map((action) => (
            <option value={action} />
          ))}
        </datalist>
        <span class="hint" id="action-hint">
          e.g. job.update, or job. for all
        </span>
      </div>
      <div>
        <label for="target_type">Target type</label>
        <select id="target_type" name="target_type">
          <option value="">any</option>
          {TARGET_TYPES.map((type) => (
            <option value={type} selected={filters.target_type === type}>
              {type}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="target_id">Target id</label>
        <input id="target_id" name="target_id" value={filters.target_id} maxlength={128} autocomplete="off" />
      </div>
      <div>
        <label for="from">From (UTC)</label>
        <input id="from" name="from" type="datetime-local" value={filters.from} />
      </div>
      <div>
        <label for="to">Before (UTC)</label>
        <input id="to" name="to" type="datetime-local" value={filters.to} />
      </div>
      <div class="filter-actions">
        <button type="submit" class="button secondary">
          Filter
        </button>
        <a href="/admin/audit">Clear</a>
      </div>
    </form>
  );
}

export function AuditPage(props: {
  chrome: PageChrome;
  assetVersion: string;
  entries: AuditEntryView[];
  links: PageLinks;
  filters: AuditFilterValues;
  actions: string[];
  problem?: string | undefined;
}) {
  const filtered = Object.values(props.filters).some(Boolean);
  return (
    <AdminLayout title="Audit log" chrome={props.chrome} section="audit" assetVersion={props.assetVersion}>
      <h1>Audit log</h1>
      <AuditFilters filters={props.filters} actions={props.actions} />
      {props.problem ? (
        <p class="alert" role="alert">
          {props.problem}
        </p>
      ) : null}
      <div class="table-wrap">
        <table class="data audit">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Changes</th>
            </tr>
          </thead>
          <tbody>
            {props.entries.length === 0 ? (
              <EmptyRow
                columns={5}
                message={filtered ? 'No entries match these filters.' : 'Nothing recorded yet.'}
              />
            ) : (
              props.entries.map((entry) => (
                <tr>
                  <td data-label="When">{formatWhen(entry.at)}</td>
                  <td data-label="Who">{entry.actor}</td>
                  <td data-label="Action">
                    <code>{entry.action}</code>
                  </td>
                  <td data-label="Target">
                    {entry.target_type === 'scheduled_job' && entry.target_id ? (
                      <a href={`/admin/jobs/${entry.target_id}`}>{entry.target_type}</a>
                    ) : (
                      entry.target_type
                    )}
                    {entry.target_id ? <div class="hint">{entry.target_id}</div> : null}
                  </td>
                  <td data-label="Changes">
                    <AuditChanges before={entry.before} after={entry.after} />
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pagination links={props.links} label="Audit pages" />
    </AdminLayout>
  );
}

/** The fields that differ, "field: before → after", then the full values on demand. */
function AuditChanges(props: { before: unknown; after: unknown }) {
  const changes = diffFields(props.before, props.after);
  return (
    <div>
      {changes.length ? (
        <ul class="changes">
          {changes.map((change) => (
            <li>
              <code>{change.field}</code>: {change.from} → {change.to}
            </li>
          ))}
        </ul>
      ) : null}
      {props.before !== null && props.before !== undefined ? (
        <details>
          <summary>before</summary>
          <pre>{formatJson(props.before)}</pre>
        </details>
      ) : null}
      {props.after !== null && props.after !== undefined ? (
        <details>
          <summary>after</summary>
          <pre>{formatJson(props.after)}</pre>
        </details>
      ) : null}
    </div>
  );
}

const IGNORED = new Set(['updated_at', 'version', 'last_run', 'cron_description']);

function diffFields(before: unknown, after: unknown): { field: string; from: string; to: string }[] {
  if (!isRecord(before) || !isRecord(after)) return [];
  const show = (value: unknown) => (value === undefined ? '—' : JSON.stringify(value));
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => !IGNORED.has(key) && JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .map((field) => ({ field, from: show(before[field]), to: show(after[field]) }));
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
