import { z } from '@hono/zod-openapi';
import { defineRoute, IdParamSchema, jsonContent } from '../../../http/openapi.ts';
import { FileListQuerySchema, FileListSchema, FileSchema, UPLOAD_BODY_COMPONENT } from '../files.schemas.ts';

export const uploadFile = defineRoute({
  operationId: 'uploadFile',
  method: 'post',
  path: '/files',
  tag: 'files',
  summary: 'Upload a file (operator): multipart field "file", streamed to the volume',
  description:
    'The size is enforced while streaming (413 past MAX_FILE_SIZE). The type is sniffed from the content ' +
    '(text/plain when it is valid UTF-8 text) and must be in ALLOWED_FILE_TYPES (415 otherwise).',
  access: 'operator',
  request: {
    body: {
      required: true,
      content: {
        'multipart/form-data': { schema: { $ref: `#/components/schemas/${UPLOAD_BODY_COMPONENT}` } },
      },
    },
  },
  responses: { 201: jsonContent(FileSchema, 'The stored file’s metadata', ['Location']) },
});

export const listFiles = defineRoute({
  operationId: 'listFiles',
  method: 'get',
  path: '/files',
  tag: 'files',
  summary: 'List files, newest first (viewer); deleted files are left out',
  access: 'viewer',
  request: { query: FileListQuerySchema },
  responses: { 200: jsonContent(FileListSchema, 'A page of files') },
});

export const getFile = defineRoute({
  operationId: 'getFile',
  method: 'get',
  path: '/files/{id}',
  tag: 'files',
  summary: 'Get a file’s metadata (viewer)',
  access: 'viewer',
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(FileSchema, 'The metadata') },
});

/** The content is sent with the type sniffed at upload (StoredFile.content_type), so any media type. */
const fileContent = { '*/*': { schema: { type: 'string' as const, format: 'binary' } } };

export const downloadFile = defineRoute({
  operationId: 'downloadFile',
  method: 'get',
  path: '/files/{id}/content',
  tag: 'files',
  summary: 'Download a file’s content (viewer), streamed, with Range support',
  description:
    'Sent with the type sniffed at upload (the `content_type` of the metadata, one of ALLOWED_FILE_TYPES), ' +
    'as an attachment. One byte range per request (206); a range outside the file is a 416.',
  access: 'viewer',
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
      content: fileContent,
      headers: ['Accept-Ranges', 'Content-Disposition'],
    },
    206: {
      description: 'The requested byte range',
      content: fileContent,
      headers: ['Accept-Ranges', 'Content-Disposition', 'Content-Range'],
    },
  },
  errors: [416],
});

export const deleteFile = defineRoute({
  operationId: 'deleteFile',
  method: 'delete',
  path: '/files/{id}',
  tag: 'files',
  summary: 'Soft-delete a file (admin): the row is marked deleted, the bytes stay on the volume',
  access: 'admin',
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(FileSchema, 'The deleted file') },
});
