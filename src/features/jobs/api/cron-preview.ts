import { z } from '@hono/zod-openapi';
import { type AppRouteHandler, defineRoute, jsonContent } from '../../../http/openapi.ts';
import { createRouter } from '../../../http/router.ts';

export const CronFireSchema = z
  .object({
    local: z.string().openapi({
      description: 'The fire time as wall-clock time in the zone, with its offset',
      example: '2026-03-08T03:00:00-04:00',
    }),
    utc: z.iso.datetime().openapi({ example: '2026-03-08T07:00:00.000Z' }),
  })
  .openapi('CronFire');

export const CronProblemSchema = z
  .object({
    field: z.enum(['cron', 'timezone']),
    message: z.string().openapi({ example: 'unknown IANA timezone "Mars/Olympus"' }),
  })
  .openapi('CronProblem');

export const CronPreviewSchema = z
  .object({
    valid: z.boolean(),
    reason: z
      .string()
      .nullable()
      .openapi({ description: 'Every problem, joined with "; " (null when valid)' }),
    problems: z
      .array(CronProblemSchema)
      .openapi({ description: 'Every problem, the expression and the zone each checked' }),
    description: z.string().nullable().openapi({ example: 'Every 5 minutes' }),
    timezone: z.string(),
    from: z.iso.datetime().openapi({ description: 'The instant the fire times follow (exclusive), in UTC' }),
    next: z
      .array(CronFireSchema)
      .openapi({ description: 'The next `count` fire times strictly after `from`' }),
  })
  .openapi('CronPreview');

export const CronPreviewQuerySchema = z.object({
  expr: z.string().min(1).max(64).openapi({ example: '*/5 * * * *' }),
  tz: z.string().max(64).default('UTC').openapi({ example: 'Europe/Berlin', description: 'IANA zone' }),
  count: z.coerce.number().int().min(1).max(50).default(5),
  from: z.iso.datetime({ offset: true }).optional().openapi({
    description: 'RFC 3339 instant; the fire times listed are strictly after it. Default: now.',
    example: '2026-03-08T00:00:00-05:00',
  }),
});

export const previewCron = defineRoute({
  operationId: 'previewCron',
  method: 'get',
  path: '/cron/preview',
  tag: 'cron',
  summary:
    'Check a cron expression: valid or every problem, the next fire times (zone and UTC), a description',
  description:
    'An invalid expression or zone is an answer (valid: false with every problem), not an error; a malformed ' +
    'parameter (count, from) is a 422 listing every issue. 5 fields, or 6 with a leading seconds field; ' +
    'day-of-month and day-of-week combine with OR. Pass `from` to see the fires after any instant, e.g. across ' +
    'a daylight-saving change.',
  access: 'viewer',
  request: { query: CronPreviewQuerySchema },
  responses: { 200: jsonContent(CronPreviewSchema, 'The preview') },
});

const previewCronHandler: AppRouteHandler<typeof previewCron> = (c) => {
  const { expr, tz, count, from } = c.req.valid('query');
  c.header('Cache-Control', 'private, no-cache');
  return c.json(c.var.deps.jobs.previewCron(expr, tz, count, from ? new Date(from) : undefined), 200);
};

export function createCronRouter() {
  return createRouter().openapi(previewCron, previewCronHandler);
}
