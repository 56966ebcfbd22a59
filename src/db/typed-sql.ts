// Raw statements that return the schema's row types: the select list aliases every column to its property
// name in db/schema, and timestamps are read as Date whichever driver answered. Statements that must stay SQL
// (lateral joins, locks, NOTIFY in the same transaction) use these instead of Record<string, unknown>.
import { getTableColumns, type InferSelectModel, is, type Table } from 'drizzle-orm';
import { PgTimestamp } from 'drizzle-orm/pg-core';
import { asDate } from './timestamps.ts';

/** `alias."column_name" as "propertyName", ...` for every column of table. */
export function columnsOf(table: Table, alias?: string): string {
  const prefix = alias ? `${alias}.` : '';
  return Object.entries(getTableColumns(table))
    .map(([property, column]) => `${prefix}"${column.name}" as "${property}"`)
    .join(', ');
}

/**
 * A function that turns the timestamp properties of a row of table (and any extra names given) into Date in
 * place: postgres.js hands timestamptz back as text here, PGlite as Date.
 */
export function timestampReader<T extends Table>(table: T, ...extra: string[]) {
  const keys = Object.entries(getTableColumns(table))
    .filter(([, column]) => is(column, PgTimestamp))
    .map(([property]) => property)
    .concat(extra);
  return <R extends Partial<InferSelectModel<T>>>(row: R): R => {
    const fields = row as Record<string, Date | string | null | undefined>;
    for (const key of keys) if (key in fields) fields[key] = asDate(fields[key]);
    return row;
  };
}
