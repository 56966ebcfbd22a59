import { createRoute } from '@hono/zod-openapi';
import { errorResponses, jsonContent, PUBLIC_OPERATION } from '../../../http/openapi.ts';
import { requireRole } from '../../../http/principal.ts';
import { CredentialsSchema, PrincipalSchema, TokenResponseSchema } from '../auth.schemas.ts';

export const issueToken = createRoute({
  method: 'post',
  path: '/auth/token',
  tags: ['auth'],
  summary: 'Exchange a username and password for an access token (OAuth2 password flow)',
  description:
    'Accepts a form (`application/x-www-form-urlencoded` or `multipart/form-data`: username, password, as ' +
    'OAuth2 password-flow clients send) or JSON. ' +
    'Attempts are limited per client IP and a username is locked after repeated failures (429 with Retry-After).',
  ...PUBLIC_OPERATION,
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
  responses: {
    200: jsonContent(TokenResponseSchema, 'An access token'),
    ...errorResponses(401, 415, 422, 429),
  },
});

export const whoAmI = createRoute({
  method: 'get',
  path: '/auth/me',
  tags: ['auth'],
  summary: 'Who the caller is: subject, role and how it authenticated',
  middleware: requireRole('viewer'),
  responses: {
    200: jsonContent(PrincipalSchema, 'The authenticated principal'),
    ...errorResponses(401),
  },
});
