// files: metadata of uploads on the volume. The stored name is generated (the row id); deleted_at marks a
// soft delete (the bytes stay on the volume until a clean-up job removes them).
import { bigint, index, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';

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
  },
  (table) => [index('files_created_idx').on(table.createdAt.desc())],
);

export type FileRow = typeof files.$inferSelect;
