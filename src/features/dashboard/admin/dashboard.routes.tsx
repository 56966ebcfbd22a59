// The dashboard page: the last 24 hours of runs as pictures (any signed-in role may look).
import type { Hono } from 'hono';
import { DashboardPage } from '../../../../views/pages/dashboard-page.tsx';
import { type AdminKit, chromeFor } from '../../../admin/page.ts';
import type { AppBindings } from '../../../http/types.ts';
import { loadDashboard } from '../dashboard.service.ts';

export function registerDashboardPage(admin: Hono<AppBindings>, kit: AdminKit) {
  admin.get('/dashboard', async (c) => {
    const dashboard = await loadDashboard(c.var.deps.db.app, new Date());
    return c.html(
      <DashboardPage chrome={await chromeFor(c)} assetVersion={kit.assetVersion} dashboard={dashboard} />,
    );
  });
}
