// The files service: every read and change of uploaded files goes through here (the API handlers stay thin).
// An upload streams to the volume first, then its row commits with the audit row in one transaction; when the
// row cannot be written the bytes are removed again. A delete marks the row (the cleanup_files job removes the
// bytes later) and is audited in the same transaction. With a mirror, the row commits as 'pending' (mirror.ts).
import { and, count, desc, eq, isNull } from 'drizzle-orm';
import { type Actor, recordAudit } from '../../audit/record-audit.ts';
import type { Drizzle } from '../../db/index.ts';
import { type FileRow, files } from '../../db/schema/index.ts';
import { AppError } from '../../http/errors.ts';
import type { FileStore } from './file-store.ts';
import type { MirrorWorker } from './mirror.ts';
import { receiveUpload, type UploadLimits } from './receive-upload.ts';

export type FileView = ReturnType<typeof toFileView>;

export function toFileView(row: FileRow) {
  return {
    id: row.id,
    name: row.name,
    content_type: row.contentType,
    declared_type: row.declaredType,
    size: row.size,
    sha256: row.sha256,
    uploaded_by: row.uploadedBy,
    created_at: row.createdAt.toISOString(),
    deleted_at: row.deletedAt?.toISOString() ?? null,
    mirror: row.mirrorStatus
      ? {
          status: row.mirrorStatus,
          attempts: row.mirrorAttempts,
          remote_id: row.mirrorRemoteId,
          error: row.mirrorError,
          next_attempt_at: row.mirrorNextAttemptAt?.toISOString() ?? null,
          mirrored_at: row.mirroredAt?.toISOString() ?? null,
        }
      : null,
  };
}

export interface FilesServiceDeps {
  /** The app database; its drizzle handle is read per call, so building the service opens nothing. */
  db: { readonly drizzle: Drizzle };
  /** The upload volume (FILES_BASE_DIR). */
  store: FileStore;
  /** MAX_FILE_SIZE and ALLOWED_FILE_TYPES. */
  limits: UploadLimits;
  /** The Drive mirror, when configured: new uploads are marked pending and the worker is woken. */
  mirror: MirrorWorker | undefined;
}

/** A live file's row and how to read its bytes (`range` is inclusive). */
export interface FileContent {
  file: FileRow;
  size: number;
  open(range?: { start: number; end: number }): ReadableStream<Uint8Array>;
}

export interface FilesService {
  /** Receives a multipart upload (field "file") and records it for `actor` (`file.upload`). */
  upload(request: Request, actor: Actor): Promise<FileView>;
  list(page: { limit: number; offset: number }): Promise<{
    items: FileView[];
    total: number;
    limit: number;
    offset: number;
  }>;
  /** A live (not deleted) file, or the API's 404. */
  get(id: string): Promise<FileRow>;
  /** A live file with its bytes; 404 when the row or the content on the volume is missing. */
  content(id: string): Promise<FileContent>;
  /** Marks a live file deleted, audited (`file.delete`). */
  remove(id: string, actor: Actor): Promise<FileView>;
}

const noSuchFile = () => new AppError(404, 'not_found', 'No such file');
const live = () => isNull(files.deletedAt);

export function createFilesService(deps: FilesServiceDeps): FilesService {
  const { store, limits, mirror } = deps;
  const orm = () => deps.db.drizzle;

  async function get(id: string): Promise<FileRow> {
    const [row] = await orm()
      .select()
      .from(files)
      .where(and(eq(files.id, id), live()))
      .limit(1);
    if (!row) throw noSuchFile();
    return row;
  }

  return {
    async upload(request, actor) {
      const received = await receiveUpload(request, store, limits);
      let view: FileView;
      try {
        view = await orm().transaction(async (tx) => {
          const [row] = await tx
            .insert(files)
            .values({
              id: received.key,
              storageKey: received.key,
              name: received.name,
              contentType: received.contentType,
              declaredType: received.declaredType?.slice(0, 127) ?? null,
              size: received.size,
              sha256: received.sha256,
              uploadedBy: actor.subject,
              // Committed with the row: the mirror worker finds it even if this process stops now.
              ...(mirror && { mirrorStatus: 'pending' as const, mirrorNextAttemptAt: new Date() }),
            })
            .returning();
          const stored = toFileView(row!);
          await recordAudit(tx, actor, {
            action: 'file.upload',
            targetType: 'file',
            targetId: stored.id,
            after: stored,
          });
          return stored;
        });
      } catch (error) {
        // No row, no bytes: the object would otherwise be an orphan on the volume.
        await store.remove(received.key);
        throw error;
      }
      mirror?.kick();
      return view;
    },

    async list({ limit, offset }) {
      const [rows, [total]] = await Promise.all([
        orm()
          .select()
          .from(files)
          .where(live())
          .orderBy(desc(files.createdAt), desc(files.id))
          .limit(limit)
          .offset(offset),
        orm().select({ n: count() }).from(files).where(live()),
      ]);
      return { items: rows.map(toFileView), total: total?.n ?? 0, limit, offset };
    },

    get,

    async content(id) {
      const file = await get(id);
      const object = await store.stat(file.storageKey);
      if (!object) throw new AppError(404, 'not_found', 'The file’s content is missing from the volume');
      return { file, size: object.size, open: (range) => store.open(file.storageKey, range) };
    },

    async remove(id, actor) {
      const before = await get(id);
      return orm().transaction(async (tx) => {
        const [after] = await tx
          .update(files)
          .set({ deletedAt: new Date(), deletedBy: actor.subject })
          .where(and(eq(files.id, before.id), live()))
          .returning();
        // A concurrent delete got there first.
        if (!after) throw noSuchFile();
        const deleted = toFileView(after);
        await recordAudit(tx, actor, {
          action: 'file.delete',
          targetType: 'file',
          targetId: before.id,
          before: toFileView(before),
          after: deleted,
        });
        return deleted;
      });
    },
  };
}
