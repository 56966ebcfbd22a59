// Who changed what and when, newest first, with the before and after values of each change.
import { formatJson, formatWhen } from '../components/format.ts';
import { Pagination } from '../components/pagination.tsx';
import { EmptyRow } from '../components/table-body.tsx';
import { AdminLayout } from '../layouts/admin-layout.tsx';
import type { AuditEntryView, PageChrome, PageLinks } from '../types.ts';

export function AuditPage(props: {
  chrome: PageChrome;
  assetVersion: string;
  entries: AuditEntryView[];
  links: PageLinks;
}) {
  return (
    <AdminLayout title="Audit log" chrome={props.chrome} section="audit" assetVersion={props.assetVersion}>
      <h1>Audit log</h1>
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
              <EmptyRow columns={5} message="Nothing recorded yet." />
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
