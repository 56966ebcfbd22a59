// GET /audit: the audit log for admins, a page at a time (the same reader as the admin audit page).
import { listAuditEntries } from '../../../audit/list-audit.ts';
import type { AppRouteHandler } from '../../../http/openapi.ts';
import { createRouter } from '../../../http/router.ts';
import * as routes from './audit.routes.ts';

const listAuditHandler: AppRouteHandler<typeof routes.listAudit> = async (c) => {
  const { page, page_size, ...filters } = c.req.valid('query');
  const { items, total } = await listAuditEntries(c.var.deps.db.app.drizzle, page, page_size, filters);
  c.header('Cache-Control', 'no-store');
  return c.json({ items, total, page, page_size }, 200);
};

export function createAuditRouter() {
  return createRouter().openapi(routes.listAudit, listAuditHandler);
}
