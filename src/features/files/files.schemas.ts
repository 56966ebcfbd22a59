import { z } from '@hono/zod-openapi';
import { FILE_MIRROR_STATUSES } from '../../db/schema/index.ts';

export const FileMirrorSchema = z
  .object({
    status: z.enum(FILE_MIRROR_STATUSES).openapi({
      description:
        'pending: not tried yet; retrying: the last attempt failed, another follows; mirrored: copied',
    }),
    attempts: z.number().int(),
    remote_id: z.string().nullable().openapi({ description: 'The Drive file id once mirrored' }),
    error: z.string().nullable().openapi({ description: 'Why the last attempt failed' }),
    next_attempt_at: z.string().nullable().openapi({ format: 'date-time' }),
    mirrored_at: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('FileMirror');

export const FileSchema = z
  .object({
    id: z.uuid(),
    name: z.string().openapi({ description: 'The client’s file name, cleaned (used only for downloads)' }),
    content_type: z.string().openapi({ description: 'Sniffed from the content, not taken from the client' }),
    declared_type: z.string().nullable().openapi({ description: 'What the client claimed' }),
    size: z.number().int(),
    sha256: z.string().openapi({ description: 'Hex SHA-256 of the content' }),
    uploaded_by: z.string(),
    created_at: z.string().openapi({ format: 'date-time' }),
    deleted_at: z.string().nullable().openapi({ format: 'date-time' }),
    mirror: FileMirrorSchema.nullable().openapi({
      description: 'The Google Drive copy (GDRIVE_ENABLE); null when no mirror was configured at upload',
    }),
  })
  .openapi('StoredFile');

export const FileListSchema = z
  .object({
    items: z.array(FileSchema),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .openapi('StoredFileList');

export const FileListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
  offset: z.coerce.number().int().min(0).default(0),
});

// A plain OpenAPI schema, not zod: the upload is streamed by the handler, so no validator may buffer it.
// Registered as the FileUpload component by the files router; the route refers to it.
export const UPLOAD_BODY_COMPONENT = 'FileUpload';
export const UPLOAD_BODY_SCHEMA = {
  type: 'object' as const,
  required: ['file'],
  properties: { file: { type: 'string' as const, format: 'binary', description: 'The file (one part)' } },
};
