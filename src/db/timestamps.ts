// Timestamps as the drivers hand them back: postgres.js gives timestamptz as text here, PGlite as Date.
// Every reader of a raw row goes through these two, so both drivers give one answer.

/** A timestamp column's value as a Date (null stays null). */
export function asDate(value: Date | string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(value);
}

/** A timestamp as ISO 8601 text for an API body (null stays null). */
export function iso(value: Date | string | null | undefined): string | null {
  return value ? (asDate(value) as Date).toISOString() : null;
}
