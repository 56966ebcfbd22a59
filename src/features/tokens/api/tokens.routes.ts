import { defineRoute, IdParamSchema, jsonBody, jsonContent } from '../../../http/openapi.ts';
import {
  ApiTokenListSchema,
  ApiTokenSchema,
  CreateApiTokenSchema,
  CreatedApiTokenSchema,
} from '../tokens.schemas.ts';

export const listTokens = defineRoute({
  operationId: 'listApiTokens',
  method: 'get',
  path: '/tokens',
  tag: 'tokens',
  summary: 'List API tokens, revoked ones included (admin; secrets are never shown again)',
  access: 'admin',
  responses: { 200: jsonContent(ApiTokenListSchema, 'All API tokens') },
});

export const createToken = defineRoute({
  operationId: 'createApiToken',
  method: 'post',
  path: '/tokens',
  tag: 'tokens',
  summary: 'Create a named API token with a role (admin); the response holds the secret once',
  access: 'admin',
  request: { body: jsonBody(CreateApiTokenSchema) },
  responses: { 201: jsonContent(CreatedApiTokenSchema, 'The token, with its secret', ['Location']) },
  errors: [409],
});

export const revokeToken = defineRoute({
  operationId: 'revokeApiToken',
  method: 'delete',
  path: '/tokens/{id}',
  tag: 'tokens',
  summary: 'Revoke an API token (admin); the row stays, marked revoked',
  access: 'admin',
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(ApiTokenSchema, 'The revoked token') },
});
