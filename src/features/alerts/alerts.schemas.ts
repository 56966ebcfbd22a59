// The alerts contract: channels, deliveries and incidents, shared by the API and the admin UI.
import { z } from '@hono/zod-openapi';
import {
  ALERT_CHANNEL_KINDS,
  ALERT_DELIVERY_STATUSES,
  ALERT_EVENTS,
  ALERT_INCIDENT_KINDS,
} from '../../db/schema/index.ts';
import { withDefault } from '../../http/openapi.ts';
import { secretString } from '../../secrets/schema-secrets.ts';
import { pageOf } from '../jobs/jobs.schemas.ts';

/** Events a channel can subscribe to (test alerts always go to the channel asked). */
export const SUBSCRIBABLE_EVENTS = ['dead', 'timed_out', 'overdue', 'recovered', 'security'] as const;

/** What a channel keeps sealed: the URL (Slack and Discord URLs are credentials) and the HMAC secret. */
export const ChannelSecretsSchema = z.object({
  url: secretString(),
  signing_secret: secretString().optional(),
});

const datetime = z.iso.datetime({ offset: true });
const setFlag = z
  .object({ set: z.boolean() })
  .openapi('SecretFlag', { description: 'Write-only: whether a value is stored' });
const url = z.url({ protocol: /^(https?|smtps?)$/ }).max(2000);
const emailTo = z.array(z.email()).min(1).max(20).openapi({ description: 'E-mail only: recipients' });
const emailFrom = z.email().openapi({ description: 'E-mail only: the sender address' });
const signingSecret = z.string().min(16).max(256).openapi({
  description:
    'Webhook: the HMAC-SHA256 key receivers verify with; PagerDuty: the integration (routing) key. Write-only',
});
const events = z
  .array(z.enum(SUBSCRIBABLE_EVENTS))
  .min(1)
  .openapi({ description: 'Events this channel receives' });

export const ChannelSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(ALERT_CHANNEL_KINDS),
    job_id: z.uuid().nullable().openapi({ description: 'null: a global channel (every job)' }),
    events,
    enabled: z.boolean(),
    url: setFlag,
    url_host: z.string().openapi({ description: "The URL's host, for telling channels apart" }),
    signing_secret: setFlag,
    email_to: z.array(z.string()).nullable(),
    email_from: z.string().nullable(),
    version: z.number().int(),
    created_by: z.string().nullable(),
    updated_by: z.string().nullable(),
    created_at: datetime,
    updated_at: datetime,
  })
  .openapi('AlertChannel');

export const ChannelCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(120).openapi({ example: 'ops-slack' }),
    kind: z.enum(ALERT_CHANNEL_KINDS),
    url: url.openapi({
      description:
        'Where to POST (http/https; PagerDuty: https://events.pagerduty.com/v2/enqueue), or for e-mail the SMTP server (smtp://user:pass@host:587, smtps://...:465). Write-only: these URLs carry credentials',
    }),
    signing_secret: signingSecret.optional(),
    email_to: emailTo.optional(),
    email_from: emailFrom.optional(),
    job_id: withDefault(z.uuid().nullable(), null, 'null: a global channel (every job).'),
    events: withDefault(events, [...SUBSCRIBABLE_EVENTS], 'Events this channel receives.'),
    enabled: withDefault(z.boolean(), true),
  })
  .strict()
  .openapi('AlertChannelCreate');

export const ChannelUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    url: url.optional().openapi({ description: 'Left out: the stored URL is kept' }),
    signing_secret: signingSecret.optional().openapi({ description: 'Left out: the stored secret is kept' }),
    email_to: emailTo.optional(),
    email_from: emailFrom.optional(),
    job_id: z.uuid().nullable().optional(),
    events: events.optional(),
    enabled: z.boolean().optional(),
    version: z.number().int().openapi({ description: 'The version you edited (optimistic concurrency)' }),
  })
  .strict()
  .openapi('AlertChannelUpdate');

export const DeliverySchema = z
  .object({
    id: z.uuid(),
    channel_id: z.uuid(),
    channel_name: z.string(),
    incident_id: z.uuid().nullable(),
    job_id: z.uuid().nullable(),
    job_name: z.string().nullable(),
    event: z.enum(ALERT_EVENTS),
    status: z.enum(ALERT_DELIVERY_STATUSES),
    attempts: z.number().int(),
    last_error: z.string().nullable(),
    next_attempt_at: datetime.nullable().openapi({ description: 'null once sent or given up' }),
    sent_at: datetime.nullable(),
    payload: z.record(z.string(), z.unknown()),
    created_at: datetime,
    updated_at: datetime,
  })
  .openapi('AlertDelivery');

export const IncidentSchema = z
  .object({
    id: z.uuid(),
    job_id: z.uuid(),
    job_name: z.string(),
    kind: z.enum(ALERT_INCIDENT_KINDS),
    run_id: z.uuid().nullable(),
    message: z.string(),
    opened_at: datetime,
    resolved_at: datetime.nullable(),
  })
  .openapi('AlertIncident');

const page = z.coerce.number().int().min(1).default(1);
const pageSize = z.coerce.number().int().min(1).max(100).default(20);

export const DeliveryListQuerySchema = z.object({
  page,
  page_size: pageSize,
  channel_id: z.uuid().optional(),
  job_id: z.uuid().optional(),
  status: z.enum(ALERT_DELIVERY_STATUSES).optional(),
  event: z.enum(ALERT_EVENTS).optional(),
});

export const IncidentListQuerySchema = z.object({
  page,
  page_size: pageSize,
  job_id: z.uuid().optional(),
  open: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .openapi({ description: 'true: only open incidents; false: only resolved ones' }),
});

export const ChannelPageSchema = pageOf(ChannelSchema, 'AlertChannelPage');
export const DeliveryPageSchema = pageOf(DeliverySchema, 'AlertDeliveryPage');
export const IncidentPageSchema = pageOf(IncidentSchema, 'AlertIncidentPage');

export type Channel = z.infer<typeof ChannelSchema>;
export type ChannelCreate = z.input<typeof ChannelCreateSchema>;
export type ChannelUpdate = z.input<typeof ChannelUpdateSchema>;
export type Delivery = z.infer<typeof DeliverySchema>;
export type Incident = z.infer<typeof IncidentSchema>;
export type DeliveryListQuery = Partial<z.output<typeof DeliveryListQuerySchema>>;
export type IncidentListQuery = Partial<z.output<typeof IncidentListQuerySchema>>;
