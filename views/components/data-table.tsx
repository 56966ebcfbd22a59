// The admin's tables: a scrollable wrapper, a caption for screen readers, one header row, then a body:
// TableFrame takes any body (the live, self-refreshing ones), DataTable renders rows of items and a row saying
// the list is empty (its width follows the columns shown).
import type { Child } from 'hono/jsx';
import { EmptyRow } from './table-body.tsx';

interface TableHead {
  /** Read by screen readers only. */
  caption: string;
  /** Header labels; `false` leaves a column out (e.g. actions for viewers). */
  columns: (string | false)[];
  /** The table's classes after `data` (default `compact`). */
  variant?: string;
}

const shown = (columns: (string | false)[]) => columns.filter((column): column is string => column !== false);

export function TableFrame(props: TableHead & { children: Child }) {
  return (
    <div class="table-wrap">
      <table class={`data ${props.variant ?? 'compact'}`}>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {shown(props.columns).map((column) => (
              <th scope="col">{column}</th>
            ))}
          </tr>
        </thead>
        {props.children}
      </table>
    </div>
  );
}

export function DataTable<T>(
  props: TableHead & {
    items: readonly T[];
    /** Shown in place of the rows when there are none. */
    empty: string;
    row: (item: T) => Child;
  },
) {
  return (
    <TableFrame caption={props.caption} columns={props.columns} variant={props.variant}>
      <tbody>
        {props.items.length === 0 ? (
          <EmptyRow columns={shown(props.columns).length} message={props.empty} />
        ) : (
          props.items.map(props.row)
        )}
      </tbody>
    </TableFrame>
  );
}
