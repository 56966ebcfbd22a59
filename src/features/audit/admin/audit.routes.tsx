// The audit page: who changed what and when, newest first, paginated.
import type { Hono } from 'hono';
import { AuditPage } from '../../../../views/pages/audit-page.tsx';
import { type AdminKit, chromeFor, pageParam } from '../../../admin/page.ts';
import { listAuditEntries } from '../../../audit/list-audit.ts';
import type { AppBindings } from '../../../http/types.ts';

const AUDIT_PAGE_SIZE = 25;

export function registerAuditPage(admin: Hono<AppBindings>, kit: AdminKit) {
  admin.get('/audit', async (c) => {
    const page = pageParam(c.req.query('page'));
    const { items, total } = await listAuditEntries(c.var.deps.db.app.drizzle, page, AUDIT_PAGE_SIZE);
    return c.html(
      <AuditPage
        chrome={await chromeFor(c)}
        assetVersion={kit.assetVersion}
        entries={items}
        links={{ page, pageSize: AUDIT_PAGE_SIZE, total, href: (p) => `/admin/audit?page=${p}` }}
      />,
    );
  });
}
