import { defineRoute, jsonContent } from '../../../http/openapi.ts';
import { HealthSchema } from '../health.schemas.ts';

export const getHealth = defineRoute({
  operationId: 'getHealth',
  method: 'get',
  path: '/health',
  tag: 'health',
  summary: 'Readiness: the status of the app DB, the legacy DB and Redis',
  description:
    '200 when healthy or degraded (a non-essential dependency is down), 503 when the app DB is unreachable. ' +
    'Each component is probed with its own timeout. Needs no authentication, writes nothing, and is not ' +
    'rate limited.',
  access: 'public',
  rateLimited: false,
  responses: {
    200: jsonContent(HealthSchema, 'Healthy or degraded'),
    503: jsonContent(HealthSchema, 'Unhealthy: the app DB is unreachable'),
  },
});
