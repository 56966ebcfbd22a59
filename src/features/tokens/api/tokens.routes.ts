import { createRoute } from '@hono/zod-openapi';
import { errorResponses, IdParamSchema, jsonBody, jsonContent } from '../../../http/openapi.ts';
import { requireRole } from '../../../http/principal.ts';
import {
  ApiTokenListSchema,
  ApiTokenSchema,
  CreateApiTokenSchema,
  CreatedApiTokenSchema,
} from '../tokens.schemas.ts';

const adminOnly = requireRole('admin');

export const listTokens = createRoute({
  method: 'get',
  path: '/tokens',
  tags: ['tokens'],
  summary: 'List API tokens, revoked ones included (admin; secrets are never shown again)',
  middleware: adminOnly,
  responses: { 200: jsonContent(ApiTokenListSchema, 'All API tokens'), ...errorResponses(401, 403) },
});

export const createToken = createRoute({
  method: 'post',
  path: '/tokens',
  tags: ['tokens'],
  summary: 'Create a named API token with a role (admin); the response holds the secret once',
  middleware: adminOnly,
  request: { body: jsonBody(CreateApiTokenSchema) },
  responses: {
    201: jsonContent(CreatedApiTokenSchema, 'The token, with its secret'),
    ...errorResponses(401, 403, 422),
  },
});

export const revokeToken = createRoute({
  method: 'delete',
  path: '/tokens/{id}',
  tags: ['tokens'],
  summary: 'Revoke an API token (admin); the row stays, marked revoked',
  middleware: adminOnly,
  request: { params: IdParamSchema },
  responses: {
    200: jsonContent(ApiTokenSchema, 'The revoked token'),
    ...errorResponses(401, 403, 404, 422),
  },
});
