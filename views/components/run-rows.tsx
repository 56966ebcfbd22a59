// The run history of one job: status, trigger, timings and each run's output or error (as escaped text).
// The body polls itself so a queued run is seen running and then finished.
import { CsrfField } from '../layouts/admin-layout.tsx';
import type { Permissions, Run } from '../types.ts';
import { formatDuration, formatJson, formatWhen } from './format.ts';
import { StatusBadge } from './status-badge.tsx';
import { EmptyRow, LiveTableBody } from './table-body.tsx';

export const RUNS_POLL_SECONDS = 2;

export function RunRows(props: {
  runs: Run[];
  can: Permissions;
  csrfToken: string;
  pollUrl: string;
  returnTo: string;
}) {
  return (
    <LiveTableBody id="run-rows" pollUrl={props.pollUrl} everySeconds={RUNS_POLL_SECONDS}>
      {props.runs.length === 0 ? (
        <EmptyRow columns={6} message="No runs yet." />
      ) : (
        props.runs.map((run) => (
          <tr id={`run-${run.id}`} data-status={run.status}>
            <td data-label="Status">
              <StatusBadge status={run.status} />
              {run.attempt > 1 ? <div class="hint">attempt {run.attempt}</div> : null}
            </td>
            <td data-label="Trigger">
              {run.trigger}
              {run.requested_by ? <div class="hint">by {run.requested_by}</div> : null}
            </td>
            <td data-label="Scheduled for">{formatWhen(run.scheduled_for)}</td>
            <td data-label="Finished">{formatWhen(run.finished_at)}</td>
            <td data-label="Duration">{formatDuration(run.duration_ms)}</td>
            <td data-label="Output or error">
              {run.error ? (
                <details>
                  <summary class="field-error">{run.error.message}</summary>
                  <pre>{formatJson(run.error)}</pre>
                </details>
              ) : run.output !== null ? (
                <details>
                  <summary>output</summary>
                  <pre>{formatJson(run.output)}</pre>
                </details>
              ) : (
                <span class="hint">{run.note ?? '—'}</span>
              )}
              {run.status === 'dead' && props.can.operate ? (
                <form method="post" action={`/admin/runs/${run.id}/retry`} class="inline">
                  <CsrfField token={props.csrfToken} />
                  <input type="hidden" name="return_to" value={props.returnTo} />
                  <button type="submit" class="button secondary">
                    Retry
                  </button>
                </form>
              ) : null}
            </td>
          </tr>
        ))
      )}
    </LiveTableBody>
  );
}
