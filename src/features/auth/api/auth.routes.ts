import { defineRoute, jsonContent } from '../../../http/openapi.ts';
import { CredentialsSchema, PrincipalSchema, TokenResponseSchema } from '../auth.schemas.ts';

export const issueToken = defineRoute({
  operationId: 'issueToken',
  method: 'post',
  path: '/auth/token',
  tag: 'auth',
  summary: 'Exchange a username and password for an access token (OAuth2 password flow)',
  description:
    'Accepts a form (`application/x-www-form-urlencoded` or `multipart/form-data`: username, password, as ' +
    'OAuth2 password-flow clients send) or JSON. ' +
    'Attempts are limited per client IP and a username is locked after repeated failures (429 with Retry-After).',
  access: 'public',
  request: {
    body: {
      // Not `required`: with it, @hono/zod-openapi would run both the form and the JSON validator on every
      // request. Each validator runs for its own content type; the handler refuses an empty body.
      required: false,
      content: {
        'application/x-www-form-urlencoded': { schema: CredentialsSchema },
        'multipart/form-data': { schema: CredentialsSchema },
        'application/json': { schema: CredentialsSchema },
      },
    },
  },
  responses: { 200: jsonContent(TokenResponseSchema, 'An access token', ['Pragma']) },
  errors: [401],
});

export const whoAmI = defineRoute({
  operationId: 'getCurrentPrincipal',
  method: 'get',
  path: '/auth/me',
  tag: 'auth',
  summary: 'Who the caller is: subject, role and how it authenticated',
  access: 'viewer',
  responses: { 200: jsonContent(PrincipalSchema, 'The authenticated principal') },
});
