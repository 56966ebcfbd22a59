import { and, count, desc, eq, isNull } from 'drizzle-orm';
import { actorOf, recordAudit } from '../../../audit/record-audit.ts';
import type { Drizzle } from '../../../db/index.ts';
import { type FileRow, files } from '../../../db/schema/index.ts';
import { AppError } from '../../../http/errors.ts';
import type { AppRouteHandler } from '../../../http/openapi.ts';
import { receiveUpload } from '../receive-upload.ts';
import type { deleteFile, downloadFile, getFile, listFiles, uploadFile } from './files.routes.ts';
import { contentDisposition, parseRange } from './http-ranges.ts';

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

async function findLiveFile(db: Drizzle, id: string): Promise<FileRow> {
  const [row] = await db
    .select()
    .from(files)
    .where(and(eq(files.id, id), isNull(files.deletedAt)))
    .limit(1);
  if (!row) throw new AppError(404, 'not_found', 'No such file');
  return row;
}

/** The upload volume comes from c.var.deps.files, like every other dependency. */
export function createFileHandlers() {
  const upload: AppRouteHandler<typeof uploadFile> = async (c) => {
    const { db, config, files: store, mirror } = c.var.deps;
    const received = await receiveUpload(c.req.raw, store, config.files);
    const actor = actorOf(c);
    let view: ReturnType<typeof toFileView>;
    try {
      view = await db.app.drizzle.transaction(async (tx) => {
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
    return c.json(view, 201, { Location: `${c.req.path}/${view.id}` });
  };

  const list: AppRouteHandler<typeof listFiles> = async (c) => {
    const { limit, offset } = c.req.valid('query');
    const db = c.var.deps.db.app.drizzle;
    const [rows, [total]] = await Promise.all([
      db
        .select()
        .from(files)
        .where(isNull(files.deletedAt))
        .orderBy(desc(files.createdAt), desc(files.id))
        .limit(limit)
        .offset(offset),
      db.select({ n: count() }).from(files).where(isNull(files.deletedAt)),
    ]);
    return c.json({ items: rows.map(toFileView), total: total?.n ?? 0, limit, offset }, 200);
  };

  const get: AppRouteHandler<typeof getFile> = async (c) => {
    const row = await findLiveFile(c.var.deps.db.app.drizzle, c.req.valid('param').id);
    return c.json(toFileView(row), 200);
  };

  const download: AppRouteHandler<typeof downloadFile> = async (c) => {
    const store = c.var.deps.files;
    const row = await findLiveFile(c.var.deps.db.app.drizzle, c.req.valid('param').id);
    const object = await store.stat(row.storageKey);
    if (!object) throw new AppError(404, 'not_found', 'The file’s content is missing from the volume');
    const headers: Record<string, string> = {
      'Content-Type': row.contentType,
      'Content-Disposition': contentDisposition(row.name),
      'Accept-Ranges': 'bytes',
      // The content never changes under an id, so its hash is a strong validator.
      ETag: `"${row.sha256}"`,
      'Cache-Control': 'private, no-cache',
      // Should a browser ever render an upload inline, it runs nothing and loads nothing.
      'Content-Security-Policy': "default-src 'none'; sandbox",
    };
    const range = parseRange(c.req.header('Range'), object.size);
    if (range === 'unsatisfiable') {
      throw new AppError(
        416,
        'range_not_satisfiable',
        'The range is outside the file',
        { size: object.size },
        {
          'Content-Range': `bytes */${object.size}`,
        },
      );
    }
    if (range) {
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${object.size}`;
      headers['Content-Length'] = String(range.end - range.start + 1);
      return c.body(store.open(row.storageKey, range), 206, headers) as never;
    }
    headers['Content-Length'] = String(object.size);
    return c.body(store.open(row.storageKey), 200, headers) as never;
  };

  const remove: AppRouteHandler<typeof deleteFile> = async (c) => {
    const { db } = c.var.deps;
    const before = await findLiveFile(db.app.drizzle, c.req.valid('param').id);
    const actor = actorOf(c);
    const view = await db.app.drizzle.transaction(async (tx) => {
      const [after] = await tx
        .update(files)
        .set({ deletedAt: new Date(), deletedBy: actor.subject })
        .where(and(eq(files.id, before.id), isNull(files.deletedAt)))
        .returning();
      // A concurrent delete got there first.
      if (!after) throw new AppError(404, 'not_found', 'No such file');
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
    return c.json(view, 200);
  };

  return { upload, list, get, download, remove };
}
