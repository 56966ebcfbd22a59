// The admin's list table: a scrollable wrapper, a caption for screen readers, one header row, and a row saying
// the list is empty (its width follows the columns shown).
import type { Child } from 'hono/jsx';
import { EmptyRow } from './table-body.tsx';

export function DataTable<T>(props: {
  /** Read by screen readers only. */
  caption: string;
  /** Header labels; `false` leaves a column out (e.g. actions for viewers). */
  columns: (string | false)[];
  items: readonly T[];
  /** Shown in place of the rows when there are none. */
  empty: string;
  row: (item: T) => Child;
}) {
  const columns = props.columns.filter((column): column is string => column !== false);
  return (
    <div class="table-wrap">
      <table class="data compact">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col">{column}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.items.length === 0 ? (
            <EmptyRow columns={columns.length} message={props.empty} />
          ) : (
            props.items.map(props.row)
          )}
        </tbody>
      </table>
    </div>
  );
}
