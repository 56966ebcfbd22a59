import { createRoute, type RouteHandler, z } from '@hono/zod-openapi';
import { requireRole } from '../../../http/principal.ts';
import { createRouter } from '../../../http/router.ts';
import type { AppBindings } from '../../../http/types.ts';
import { errorResponses } from './jobs.common.ts';

export const FunctionSchema = z
  .object({
    key: z.string().openapi({ example: 'app.jobs.heartbeat:hello_job' }),
    description: z.string(),
    args_schema: z.record(z.string(), z.unknown()).openapi({ description: 'JSON Schema of the kwargs' }),
  })
  .openapi('JobFunction');

export const listFunctions = createRoute({
  method: 'get',
  path: '/functions',
  tags: ['functions'],
  summary: 'The job functions this build registers, with the JSON Schema of their arguments',
  middleware: [requireRole('viewer')] as const,
  responses: {
    200: {
      description: 'Registered functions',
      content: { 'application/json': { schema: z.object({ items: z.array(FunctionSchema) }) } },
    },
    ...errorResponses(401, 403),
  },
});

const listFunctionsHandler: RouteHandler<typeof listFunctions, AppBindings> = (c) => {
  c.header('Cache-Control', 'private, max-age=60');
  return c.json({ items: c.var.deps.jobs.listFunctions() }, 200);
};

export function createFunctionsRouter() {
  return createRouter().openapi(listFunctions, listFunctionsHandler);
}
