import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, IdParamSchema, jsonContent } from '../../../http/openapi.ts';
import { requireRole } from '../../../http/principal.ts';
import { FileListQuerySchema, FileListSchema, FileSchema, UPLOAD_BODY_SCHEMA } from '../files.schemas.ts';

export const uploadFile = createRoute({
  method: 'post',
  path: '/files',
  tags: ['files'],
  summary: 'Upload a file (operator): multipart field "file", streamed to the volume',
  description:
    'The size is enforced while streaming (413 past MAX_FILE_SIZE). The type is sniffed from the content ' +
    '(text/plain when it is valid UTF-8 text) and must be in ALLOWED_FILE_TYPES (415 otherwise).',
  middleware: requireRole('operator'),
  request: {
    body: { required: true, content: { 'multipart/form-data': { schema: UPLOAD_BODY_SCHEMA } } },
  },
  responses: {
    201: jsonContent(FileSchema, 'The stored file’s metadata'),
    ...errorResponses(400, 401, 403, 413, 415, 422),
  },
});

export const listFiles = createRoute({
  method: 'get',
  path: '/files',
  tags: ['files'],
  summary: 'List files, newest first (viewer); deleted files are left out',
  middleware: requireRole('viewer'),
  request: { query: FileListQuerySchema },
  responses: { 200: jsonContent(FileListSchema, 'A page of files'), ...errorResponses(401, 403, 422) },
});

export const getFile = createRoute({
  method: 'get',
  path: '/files/{id}',
  tags: ['files'],
  summary: 'Get a file’s metadata (viewer)',
  middleware: requireRole('viewer'),
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(FileSchema, 'The metadata'), ...errorResponses(401, 403, 404, 422) },
});

export const downloadFile = createRoute({
  method: 'get',
  path: '/files/{id}/content',
  tags: ['files'],
  summary: 'Download a file’s content (viewer), streamed, with Range support',
  middleware: requireRole('viewer'),
  request: {
    params: IdParamSchema,
    headers: z.object({
      range: z
        .string()
        .optional()
        .openapi({ description: 'One byte range, e.g. bytes=0-99', example: 'bytes=0-99' }),
    }),
  },
  responses: {
    200: {
      description: 'The whole file',
      content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    },
    206: {
      description: 'The requested byte range',
      content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    },
    304: { description: 'Not modified (If-None-Match matched the ETag)' },
    ...errorResponses(401, 403, 404, 416, 422),
  },
});

export const deleteFile = createRoute({
  method: 'delete',
  path: '/files/{id}',
  tags: ['files'],
  summary: 'Soft-delete a file (admin): the row is marked deleted, the bytes stay on the volume',
  middleware: requireRole('admin'),
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(FileSchema, 'The deleted file'), ...errorResponses(401, 403, 404, 422) },
});
