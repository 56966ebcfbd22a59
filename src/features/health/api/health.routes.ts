import { createRoute } from '@hono/zod-openapi';
import { PUBLIC_OPERATION } from '../../../http/openapi.ts';
import { HealthSchema } from '../health.schemas.ts';

export const getHealth = createRoute({
  method: 'get',
  path: '/health',
  tags: ['health'],
  summary: 'Readiness: the status of the app DB, the legacy DB and Redis',
  description:
    '200 when healthy or degraded (a non-essential dependency is down), 503 when the app DB is unreachable. ' +
    'Each component is probed with its own timeout. Needs no authentication and writes nothing.',
  ...PUBLIC_OPERATION,
  responses: {
    200: { description: 'Healthy or degraded', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'Unhealthy', content: { 'application/json': { schema: HealthSchema } } },
  },
});
