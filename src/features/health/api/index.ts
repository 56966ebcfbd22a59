import { createRouter } from '../../../http/router.ts';
import { getHealthHandler } from './health.handlers.ts';
import { getHealth } from './health.routes.ts';

export function createHealthRouter() {
  return createRouter().openapi(getHealth, getHealthHandler);
}
