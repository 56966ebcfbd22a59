import { createRoute, type RouteHandler, z } from '@hono/zod-openapi';
import { requireRole } from '../../../http/principal.ts';
import { createRouter } from '../../../http/router.ts';
import type { AppBindings } from '../../../http/types.ts';
import { errorResponses } from './jobs.common.ts';

export const CronPreviewSchema = z
  .object({
    valid: z.boolean(),
    reason: z.string().nullable().openapi({ description: "The parser's reason when not valid" }),
    description: z.string().nullable().openapi({ example: 'Every 5 minutes' }),
    timezone: z.string(),
    next: z.array(
      z.object({
        local: z.string().openapi({ example: '2026-03-08T03:00:00-04:00' }),
        utc: z.iso.datetime(),
      }),
    ),
  })
  .openapi('CronPreview');

export const previewCron = createRoute({
  method: 'get',
  path: '/cron/preview',
  tags: ['cron'],
  summary: 'Check a cron expression: valid or the reason, the next fire times (zone and UTC), a description',
  description:
    'An invalid expression is an answer (valid: false with the reason), not an error. 5 fields, or 6 with a leading seconds field; day-of-month and day-of-week combine with OR.',
  middleware: [requireRole('viewer')] as const,
  request: {
    query: z.object({
      expr: z.string().min(1).max(64).openapi({ example: '*/5 * * * *' }),
      tz: z.string().max(64).default('UTC').openapi({ example: 'Europe/Berlin' }),
      count: z.coerce.number().int().min(1).max(50).default(5),
    }),
  },
  responses: {
    200: { description: 'The preview', content: { 'application/json': { schema: CronPreviewSchema } } },
    ...errorResponses(401, 403, 422),
  },
});

const previewCronHandler: RouteHandler<typeof previewCron, AppBindings> = (c) => {
  const { expr, tz, count } = c.req.valid('query');
  c.header('Cache-Control', 'private, no-cache');
  return c.json(c.var.deps.jobs.previewCron(expr, tz, count), 200);
};

export function createCronRouter() {
  return createRouter().openapi(previewCron, previewCronHandler);
}
