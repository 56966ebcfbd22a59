// One page-size rule for every list: 1 to 100 rows, pages counted from 1. The API schemas refuse other
// values; this clamp keeps internal callers (admin pages, services) inside the same bounds.
export const MAX_PAGE_SIZE = 100;

/** LIMIT and OFFSET for a 1-based page of pageSize rows, clamped to 1..MAX_PAGE_SIZE rows. */
export function pageWindow(page: number, pageSize: number): { limit: number; offset: number } {
  const limit = Math.min(Math.max(Math.trunc(pageSize), 1), MAX_PAGE_SIZE);
  return { limit, offset: Math.max(Math.trunc(page) - 1, 0) * limit };
}
