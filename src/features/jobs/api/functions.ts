import { z } from '@hono/zod-openapi';
import { type AppRouteHandler, defineRoute, jsonContent } from '../../../http/openapi.ts';
import { createRouter } from '../../../http/router.ts';

export const FunctionSchema = z
  .object({
    key: z.string().openapi({ example: 'app.jobs.heartbeat:hello_job' }),
    description: z.string(),
    args_schema: z.record(z.string(), z.unknown()).openapi({ description: 'JSON Schema of the kwargs' }),
  })
  .openapi('JobFunction');

export const FunctionListSchema = z.object({ items: z.array(FunctionSchema) }).openapi('JobFunctionList');

export const listFunctions = defineRoute({
  operationId: 'listFunctions',
  method: 'get',
  path: '/functions',
  tag: 'functions',
  summary: 'The job functions this build registers, with the JSON Schema of their arguments',
  access: 'viewer',
  responses: { 200: jsonContent(FunctionListSchema, 'Registered functions') },
});

const listFunctionsHandler: AppRouteHandler<typeof listFunctions> = (c) => {
  c.header('Cache-Control', 'private, max-age=60');
  return c.json({ items: c.var.deps.jobs.listFunctions() }, 200);
};

export function createFunctionsRouter() {
  return createRouter().openapi(listFunctions, listFunctionsHandler);
}
