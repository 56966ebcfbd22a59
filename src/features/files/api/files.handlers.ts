// The files API: HTTP in and out (status codes, headers, byte ranges); src/features/files/files.service.ts
// owns the rows, the volume, the transactions and the audit.
import { actorOf } from '../../../audit/record-audit.ts';
import { AppError } from '../../../http/errors.ts';
import type { AppRouteHandler } from '../../../http/openapi.ts';
import { toFileView } from '../files.service.ts';
import type { deleteFile, downloadFile, getFile, listFiles, uploadFile } from './files.routes.ts';
import { contentDisposition, parseRange } from './http-ranges.ts';

/** Every handler reaches the files service as c.var.deps.uploads, like every other dependency. */
export function createFileHandlers() {
  const upload: AppRouteHandler<typeof uploadFile> = async (c) => {
    const view = await c.var.deps.uploads.upload(c.req.raw, actorOf(c));
    return c.json(view, 201, { Location: `${c.req.path}/${view.id}` });
  };

  const list: AppRouteHandler<typeof listFiles> = async (c) => {
    const { limit, offset } = c.req.valid('query');
    return c.json(await c.var.deps.uploads.list({ limit, offset }), 200);
  };

  const get: AppRouteHandler<typeof getFile> = async (c) => {
    const row = await c.var.deps.uploads.get(c.req.valid('param').id);
    return c.json(toFileView(row), 200);
  };

  const download: AppRouteHandler<typeof downloadFile> = async (c) => {
    const { file, size, open } = await c.var.deps.uploads.content(c.req.valid('param').id);
    const headers: Record<string, string> = {
      'Content-Type': file.contentType,
      'Content-Disposition': contentDisposition(file.name),
      'Accept-Ranges': 'bytes',
      // The content never changes under an id, so its hash is a strong validator.
      ETag: `"${file.sha256}"`,
      'Cache-Control': 'private, no-cache',
      // Should a browser ever render an upload inline, it runs nothing and loads nothing.
      'Content-Security-Policy': "default-src 'none'; sandbox",
    };
    const range = parseRange(c.req.header('Range'), size);
    if (range === 'unsatisfiable') {
      throw new AppError(
        416,
        'range_not_satisfiable',
        'The range is outside the file',
        { size },
        {
          'Content-Range': `bytes */${size}`,
        },
      );
    }
    if (range) {
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
      headers['Content-Length'] = String(range.end - range.start + 1);
      return c.body(open(range), 206, headers) as never;
    }
    headers['Content-Length'] = String(size);
    return c.body(open(), 200, headers) as never;
  };

  const remove: AppRouteHandler<typeof deleteFile> = async (c) => {
    const view = await c.var.deps.uploads.remove(c.req.valid('param').id, actorOf(c));
    return c.json(view, 200);
  };

  return { upload, list, get, download, remove };
}
