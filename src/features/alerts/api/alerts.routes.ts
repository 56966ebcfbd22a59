import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../../../http/principal.ts';
import { errorResponses, IdParamSchema } from '../../jobs/api/jobs.common.ts';
import {
  ChannelCreateSchema,
  ChannelPageSchema,
  ChannelSchema,
  ChannelUpdateSchema,
  DeliveryListQuerySchema,
  DeliveryPageSchema,
  DeliverySchema,
  IncidentListQuerySchema,
  IncidentPageSchema,
} from '../alerts.schemas.ts';

const tags = ['alerts'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const listChannels = createRoute({
  method: 'get',
  path: '/alerts/channels',
  tags,
  summary: 'List alert channels (URLs and signing secrets are write-only: shown as {"set": true})',
  middleware: [requireRole('viewer')] as const,
  request: {
    query: z.object({
      page: z.coerce.number().int().min(1).default(1),
      page_size: z.coerce.number().int().min(1).max(100).default(50),
      job_id: z
        .uuid()
        .optional()
        .openapi({ description: 'Channels that apply to this job (its own and global)' }),
    }),
  },
  responses: { 200: json(ChannelPageSchema, 'A page of channels'), ...errorResponses(401, 403, 404, 422) },
});

export const createChannel = createRoute({
  method: 'post',
  path: '/alerts/channels',
  tags,
  summary: 'Create an alert channel (generic webhook signed with HMAC-SHA256, Slack or Discord)',
  middleware: [requireRole('admin')] as const,
  request: { body: { content: { 'application/json': { schema: ChannelCreateSchema } }, required: true } },
  responses: { 201: json(ChannelSchema, 'Created'), ...errorResponses(401, 403, 409, 422) },
});

export const getChannel = createRoute({
  method: 'get',
  path: '/alerts/channels/{id}',
  tags,
  summary: 'Get one alert channel',
  middleware: [requireRole('viewer')] as const,
  request: { params: IdParamSchema },
  responses: { 200: json(ChannelSchema, 'The channel'), ...errorResponses(401, 403, 404) },
});

export const updateChannel = createRoute({
  method: 'patch',
  path: '/alerts/channels/{id}',
  tags,
  summary:
    'Change an alert channel (fields left out, the URL and the signing secret included, keep their value)',
  middleware: [requireRole('admin')] as const,
  request: {
    params: IdParamSchema,
    body: { content: { 'application/json': { schema: ChannelUpdateSchema } }, required: true },
  },
  responses: { 200: json(ChannelSchema, 'Updated'), ...errorResponses(401, 403, 404, 409, 422) },
});

export const testChannel = createRoute({
  method: 'post',
  path: '/alerts/channels/{id}/test',
  tags,
  summary: 'Send a test alert to the channel now (the delivery is recorded like any other)',
  middleware: [requireRole('admin')] as const,
  request: { params: IdParamSchema },
  responses: {
    200: json(DeliverySchema, 'The test delivery after its first attempt'),
    ...errorResponses(401, 403, 404),
  },
});

export const listDeliveries = createRoute({
  method: 'get',
  path: '/alerts/deliveries',
  tags,
  summary: 'List alert deliveries, newest first (status, attempts, last error, next attempt)',
  middleware: [requireRole('viewer')] as const,
  request: { query: DeliveryListQuerySchema },
  responses: { 200: json(DeliveryPageSchema, 'A page of deliveries'), ...errorResponses(401, 403, 422) },
});

export const listIncidents = createRoute({
  method: 'get',
  path: '/alerts/incidents',
  tags,
  summary: 'List alert incidents (one per job and kind while open), newest first',
  middleware: [requireRole('viewer')] as const,
  request: { query: IncidentListQuerySchema },
  responses: { 200: json(IncidentPageSchema, 'A page of incidents'), ...errorResponses(401, 403, 422) },
});
