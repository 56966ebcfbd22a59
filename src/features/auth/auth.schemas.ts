import { z } from '@hono/zod-openapi';
import { plainText } from '../../http/openapi.ts';
import { ROLES } from '../../http/principal.ts';

export const CredentialsSchema = z
  .object({
    username: plainText(64).pipe(z.string().min(1)).openapi({ example: 'admin' }),
    password: z.string().min(1).max(1024).openapi({ format: 'password' }),
    // The OAuth2 password flow sends these; they are accepted and ignored.
    grant_type: z.string().optional().openapi({ example: 'password' }),
    scope: z.string().optional(),
  })
  .openapi('Credentials');

export const TokenResponseSchema = z
  .object({
    access_token: z.string().openapi({ description: 'A JWT; send it as `Authorization: Bearer <token>`' }),
    token_type: z.literal('bearer'),
    expires_in: z.number().int().openapi({ description: 'Seconds until the token expires', example: 1800 }),
  })
  .openapi('TokenResponse');

export const PrincipalSchema = z
  .object({
    subject: z.string().openapi({ description: 'User name, or token:<name> for an API token' }),
    role: z.enum(ROLES),
    via: z.enum(['jwt', 'api_token', 'session']),
  })
  .openapi('Principal');
