// files: metadata of uploads on the volume. The stored name is generated (the row id); deleted_at marks a
// soft delete (the bytes stay on the volume until a clean-up job removes them).
import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';

/** Google Drive mirror state of a file: null when no mirror was configured at upload. */
export const FILE_MIRROR_STATUSES = ['pending', 'retrying', 'mirrored'] as const;

export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey(),
    /** The client's file name, cleaned; only ever used in Content-Disposition, never in a path. */
    name: varchar('name', { length: 255 }).notNull(),
    /** The sniffed content type (not the client's claim). */
    contentType: varchar('content_type', { length: 127 }).notNull(),
    declaredType: varchar('declared_type', { length: 127 }),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: varchar('sha256', { length: 64 }).notNull(),
    storageKey: varchar('storage_key', { length: 64 }).notNull(),
    uploadedBy: varchar('uploaded_by', { length: 120 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    deletedBy: varchar('deleted_by', { length: 120 }),
    mirrorStatus: varchar('mirror_status', { length: 16, enum: FILE_MIRROR_STATUSES }),
    mirrorAttempts: integer('mirror_attempts').notNull().default(0),
    /** When the mirror worker may (re)try; also its lease while an attempt runs. */
    mirrorNextAttemptAt: timestamp('mirror_next_attempt_at', { withTimezone: true }),
    mirrorRemoteId: varchar('mirror_remote_id', { length: 200 }),
    mirrorError: text('mirror_error'),
    mirroredAt: timestamp('mirrored_at', { withTimezone: true }),
  },
  (table) => [
    index('files_created_idx').on(table.createdAt.desc()),
    index('files_mirror_due_idx')
      .on(table.mirrorNextAttemptAt)
      .where(sql`${table.mirrorStatus} in ('pending', 'retrying')`),
  ],
);

export type FileRow = typeof files.$inferSelect;
