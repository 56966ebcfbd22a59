import type { AppRouteHandler } from '../../../http/openapi.ts';
import { APP_VERSION } from '../../../version.ts';
import { checkHealthCoalesced } from '../health.checks.ts';
import type { getHealth } from './health.routes.ts';

export const getHealthHandler: AppRouteHandler<typeof getHealth> = async (c) => {
  const health = await checkHealthCoalesced(c.get('deps'), APP_VERSION);
  c.header('Cache-Control', 'no-store');
  return c.json(health, health.status === 'unhealthy' ? 503 : 200);
};
