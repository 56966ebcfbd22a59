// Alerting: channels (where to send), incidents (one per job and event kind while open) and deliveries (one
// message to one channel, with its retries).
import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { scheduledJobs } from './scheduled-jobs.ts';

export const ALERT_CHANNEL_KINDS = ['webhook', 'slack', 'discord', 'email', 'pagerduty'] as const;
/** Incident kinds; a delivery's event is one of these, `recovered`, `security` (security_incidents) or `test`. */
export const ALERT_INCIDENT_KINDS = ['dead', 'timed_out', 'overdue'] as const;
export const ALERT_EVENTS = [...ALERT_INCIDENT_KINDS, 'recovered', 'security', 'test'] as const;
export const ALERT_DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;

export const alertChannels = pgTable('alert_channels', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: varchar('name', { length: 120 }).notNull().unique('alert_channels_name_key'),
  kind: varchar('kind', { length: 16, enum: ALERT_CHANNEL_KINDS }).notNull(),
  /** Null: every job (a global channel). */
  jobId: uuid('job_id').references(() => scheduledJobs.id),
  /** Which events this channel receives (ALERT_EVENTS without `test`). */
  events: jsonb('events').$type<string[]>().notNull(),
  enabled: boolean('enabled').notNull().default(true),
  /** Sealed values only ({"url": {"$secret": ...}, "signing_secret": ...}): webhook and SMTP URLs carry credentials. */
  secrets: jsonb('secrets').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  /** Settings that are not secret: for e-mail, {"to": [...], "from": "..."}. */
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  /** The URL's host, kept in the clear so people can tell channels apart. */
  urlHost: varchar('url_host', { length: 255 }).notNull(),
  version: integer('version').notNull().default(1),
  createdBy: varchar('created_by', { length: 120 }),
  updatedBy: varchar('updated_by', { length: 120 }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const alertIncidents = pgTable(
  'alert_incidents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => scheduledJobs.id),
    kind: varchar('kind', { length: 16, enum: ALERT_INCIDENT_KINDS }).notNull(),
    runId: uuid('run_id'),
    message: text('message').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (table) => [
    // One open incident per job and kind: this insert is the dedup (and the claim across replicas).
    uniqueIndex('alert_incidents_open_key')
      .on(table.jobId, table.kind)
      .where(sql`${table.resolvedAt} is null`),
  ],
);

export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => alertChannels.id),
    incidentId: uuid('incident_id').references(() => alertIncidents.id),
    jobId: uuid('job_id'),
    event: varchar('event', { length: 16, enum: ALERT_EVENTS }).notNull(),
    /** The JSON body sent (no secrets: job name, event, message, times). */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: varchar('status', { length: 16, enum: ALERT_DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('alert_deliveries_incident_key')
      .on(table.incidentId, table.channelId, table.event)
      .where(sql`${table.incidentId} is not null`),
    index('alert_deliveries_due_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.status} in ('pending', 'sending')`),
    index('alert_deliveries_created_idx').on(table.createdAt.desc()),
  ],
);

export type AlertChannelRow = typeof alertChannels.$inferSelect;
export type AlertIncidentRow = typeof alertIncidents.$inferSelect;
export type AlertDeliveryRow = typeof alertDeliveries.$inferSelect;
export type AlertIncidentKind = (typeof ALERT_INCIDENT_KINDS)[number];
