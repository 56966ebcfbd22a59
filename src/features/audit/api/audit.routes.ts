import { defineRoute, jsonContent } from '../../../http/openapi.ts';
import { AuditListQuerySchema, AuditPageSchema } from '../audit.schemas.ts';

export const listAudit = defineRoute({
  operationId: 'listAuditEntries',
  method: 'get',
  path: '/audit',
  tag: 'audit',
  summary: 'Read the audit log (admin), newest first; filter by actor, action, target and time',
  access: 'admin',
  request: { query: AuditListQuerySchema },
  responses: { 200: jsonContent(AuditPageSchema, 'A page of audit entries, newest first') },
});
