import { createRoute } from '@hono/zod-openapi';
import { errorResponses, jsonContent } from '../../../http/openapi.ts';
import { requireRole } from '../../../http/principal.ts';
import { AuditListQuerySchema, AuditPageSchema } from '../audit.schemas.ts';

export const listAudit = createRoute({
  method: 'get',
  path: '/audit',
  tags: ['audit'],
  summary: 'Read the audit log (admin), newest first; filter by actor, action, target and time',
  middleware: [requireRole('admin')] as const,
  request: { query: AuditListQuerySchema },
  responses: {
    200: jsonContent(AuditPageSchema, 'A page of audit entries, newest first'),
    ...errorResponses(401, 403, 422),
  },
});
