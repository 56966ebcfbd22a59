import { z } from '@hono/zod-openapi';
import { defineRoute, IdParamSchema, jsonBody, jsonContent } from '../../../http/openapi.ts';
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

export const listChannels = defineRoute({
  operationId: 'listAlertChannels',
  method: 'get',
  path: '/alerts/channels',
  tag: 'alerts',
  summary: 'List alert channels (URLs and signing secrets are write-only: shown as {"set": true})',
  access: 'viewer',
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
  responses: { 200: jsonContent(ChannelPageSchema, 'A page of channels') },
  errors: [404],
});

export const createChannel = defineRoute({
  operationId: 'createAlertChannel',
  method: 'post',
  path: '/alerts/channels',
  tag: 'alerts',
  summary: 'Create an alert channel (generic webhook signed with HMAC-SHA256, Slack, Discord or e-mail)',
  access: 'admin',
  request: { body: jsonBody(ChannelCreateSchema) },
  responses: { 201: jsonContent(ChannelSchema, 'Created', ['Location']) },
  errors: [409],
});

export const getChannel = defineRoute({
  operationId: 'getAlertChannel',
  method: 'get',
  path: '/alerts/channels/{id}',
  tag: 'alerts',
  summary: 'Get one alert channel',
  access: 'viewer',
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(ChannelSchema, 'The channel') },
});

export const updateChannel = defineRoute({
  operationId: 'updateAlertChannel',
  method: 'patch',
  path: '/alerts/channels/{id}',
  tag: 'alerts',
  summary:
    'Change an alert channel (fields left out, the URL and the signing secret included, keep their value)',
  access: 'admin',
  request: { params: IdParamSchema, body: jsonBody(ChannelUpdateSchema) },
  responses: { 200: jsonContent(ChannelSchema, 'Updated') },
  errors: [409],
});

export const testChannel = defineRoute({
  operationId: 'testAlertChannel',
  method: 'post',
  path: '/alerts/channels/{id}/test',
  tag: 'alerts',
  summary: 'Send a test alert to the channel now (the delivery is recorded like any other)',
  access: 'admin',
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(DeliverySchema, 'The test delivery after its first attempt') },
});

export const listDeliveries = defineRoute({
  operationId: 'listAlertDeliveries',
  method: 'get',
  path: '/alerts/deliveries',
  tag: 'alerts',
  summary: 'List alert deliveries, newest first (status, attempts, last error, next attempt)',
  access: 'viewer',
  request: { query: DeliveryListQuerySchema },
  responses: { 200: jsonContent(DeliveryPageSchema, 'A page of deliveries') },
});

export const listIncidents = defineRoute({
  operationId: 'listAlertIncidents',
  method: 'get',
  path: '/alerts/incidents',
  tag: 'alerts',
  summary: 'List alert incidents (one per job and kind while open), newest first',
  access: 'viewer',
  request: { query: IncidentListQuerySchema },
  responses: { 200: jsonContent(IncidentPageSchema, 'A page of incidents') },
});
