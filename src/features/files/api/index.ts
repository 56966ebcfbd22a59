import { createRouter } from '../../../http/router.ts';
import { createFileHandlers } from './files.handlers.ts';
import * as routes from './files.routes.ts';

export function createFilesRouter() {
  const handlers = createFileHandlers();
  return createRouter()
    .openapi(routes.uploadFile, handlers.upload)
    .openapi(routes.listFiles, handlers.list)
    .openapi(routes.getFile, handlers.get)
    .openapi(routes.downloadFile, handlers.download)
    .openapi(routes.deleteFile, handlers.remove);
}
