// One page-size rule for every list: 1 to 100 rows, pages counted from 1. The API schemas refuse other
// values; this clamp keeps internal callers (admin pages, services) inside the same bounds.
import type { Row, SqlExecutor } from './client.ts';

export const MAX_PAGE_SIZE = 100;

/** LIMIT and OFFSET for a 1-based page of pageSize rows, clamped to 1..MAX_PAGE_SIZE rows. */
export function pageWindow(page: number, pageSize: number): { limit: number; offset: number } {
  const limit = Math.min(Math.max(Math.trunc(pageSize), 1), MAX_PAGE_SIZE);
  return { limit, offset: Math.max(Math.trunc(page) - 1, 0) * limit };
}

/**
 * One page of rows and the filter's total: a count statement and a page statement (given its LIMIT and
 * OFFSET) with the same parameters. `count` must select `count(*)::int as n`.
 */
export async function countedPage<T extends Row>(
  db: SqlExecutor,
  statements: { count: string; rows: (limit: number, offset: number) => string },
  params: readonly unknown[],
  page: number,
  pageSize: number,
): Promise<{ rows: T[]; total: number }> {
  const [count] = await db.query<{ n: number }>(statements.count, params);
  const { limit, offset } = pageWindow(page, pageSize);
  const rows = await db.query<T>(statements.rows(limit, offset), params);
  return { rows, total: count?.n ?? 0 };
}
