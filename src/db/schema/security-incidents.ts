// Security incidents: repeated failed logins, lockouts, bursts of 401/403 answers, use of a revoked API token.
// One row per key (e.g. `failed_logins`, `revoked_token:<id>`): a report while the row was seen within the
// window only counts; a report after a quiet window reopens it as a new incident (new id) and alerts again.
import { integer, pgTable, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';

export const SECURITY_INCIDENT_KINDS = [
  'failed_logins',
  'lockouts',
  'denied_burst',
  'revoked_token',
] as const;
export type SecurityIncidentKind = (typeof SECURITY_INCIDENT_KINDS)[number];

export const securityIncidents = pgTable('security_incidents', {
  key: varchar('key', { length: 200 }).primaryKey(),
  /** The current incident's id (changes when a quiet key reopens); alert payloads carry it. */
  id: uuid('id').notNull(),
  kind: varchar('kind', { length: 32, enum: SECURITY_INCIDENT_KINDS }).notNull(),
  /** The first report's description (no secrets: counts, user names, client addresses, token names). */
  message: text('message').notNull(),
  /** Events reported while this incident was open. */
  count: integer('count').notNull(),
  openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
});

export type SecurityIncidentRow = typeof securityIncidents.$inferSelect;
