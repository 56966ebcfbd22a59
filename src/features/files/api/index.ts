import { createRouter } from '../../../http/router.ts';
import { UPLOAD_BODY_COMPONENT, UPLOAD_BODY_SCHEMA } from '../files.schemas.ts';
import { createFileHandlers } from './files.handlers.ts';
import * as routes from './files.routes.ts';

export function createFilesRouter() {
  const handlers = createFileHandlers();
  const router = createRouter();
  router.openAPIRegistry.registerComponent('schemas', UPLOAD_BODY_COMPONENT, UPLOAD_BODY_SCHEMA);
  return router
    .openapi(routes.uploadFile, handlers.upload)
    .openapi(routes.listFiles, handlers.list)
    .openapi(routes.getFile, handlers.get)
    .openapi(routes.downloadFile, handlers.download)
    .openapi(routes.deleteFile, handlers.remove);
}
