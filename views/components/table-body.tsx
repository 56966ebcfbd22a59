// Table bodies: a row saying the table is empty, and a body that re-fetches itself (htmx polling) so the
// rows stay live; the fragment endpoint answers the same body, which replaces this one.
import type { Child } from 'hono/jsx';

export function EmptyRow(props: { columns: number; message: string }) {
  return (
    <tr>
      <td colspan={props.columns} class="empty">
        {props.message}
      </td>
    </tr>
  );
}

export function LiveTableBody(props: { id: string; pollUrl: string; everySeconds: number; children: Child }) {
  return (
    <tbody
      id={props.id}
      hx-get={props.pollUrl}
      hx-trigger={`every ${props.everySeconds}s`}
      hx-swap="outerHTML"
    >
      {props.children}
    </tbody>
  );
}
