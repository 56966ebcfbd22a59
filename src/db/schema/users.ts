// users and api_tokens: who may call the API, with which role. Users are disabled, never deleted;
// tokens are revoked, never deleted, so audit rows keep pointing at something real.
import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';

export const USER_ROLES = ['viewer', 'operator', 'admin'] as const;

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: varchar('username', { length: 64 }).notNull(),
    role: varchar('role', { length: 16, enum: USER_ROLES }).notNull(),
    /** scrypt$N$r$p$salt$hash (node:crypto scrypt); never returned by the API. */
    passwordHash: varchar('password_hash', { length: 255 }).notNull(),
    disabled: boolean('disabled').notNull().default(false),
    createdBy: varchar('created_by', { length: 120 }),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * Bumped by admin logout, password change, role change and disable: an admin session carries the value it
     * began with and ends when it differs, so every copy of a session cookie dies on the server at once.
     */
    sessionGeneration: integer('session_generation').notNull().default(0),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // Usernames are unique regardless of case, so "Admin" cannot shadow "admin".
  (table) => [uniqueIndex('users_username_lower_key').on(sql`lower(${table.username})`)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: varchar('name', { length: 120 }).notNull(),
    role: varchar('role', { length: 16, enum: USER_ROLES }).notNull(),
    /** sha256 of the whole token (hex); the token itself is shown once at creation. */
    tokenHash: varchar('token_hash', { length: 64 }).notNull().unique('api_tokens_token_hash_key'),
    /** The first characters of the token, to recognise it in lists. */
    prefix: varchar('prefix', { length: 16 }).notNull(),
    createdBy: varchar('created_by', { length: 120 }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('api_tokens_created_idx').on(table.createdAt.desc())],
);

export type UserRow = typeof users.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;
