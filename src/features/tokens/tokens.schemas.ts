import { z } from '@hono/zod-openapi';
import { plainText, withDefault } from '../../http/openapi.ts';
import { ROLES } from '../../http/principal.ts';

export const ApiTokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: z.enum(ROLES),
    prefix: z.string().openapi({ description: 'The first characters of the token, to recognise it' }),
    created_by: z.string(),
    created_at: z.string().openapi({ format: 'date-time' }),
    expires_at: z.string().nullable().openapi({ format: 'date-time' }),
    last_used_at: z.string().nullable().openapi({ format: 'date-time' }),
    revoked_at: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('ApiToken');

export const ApiTokenListSchema = z.object({ items: z.array(ApiTokenSchema) }).openapi('ApiTokenList');

export const CreateApiTokenSchema = z
  .object({
    name: plainText(120).pipe(z.string().trim().min(1)).openapi({ example: 'ci-deploy' }),
    role: withDefault(z.enum(ROLES), 'viewer'),
    expires_in_days: z.number().int().min(1).max(3650).optional().openapi({
      description: 'Omit for a token that lives until revoked',
    }),
  })
  .openapi('CreateApiToken');

// A flat object rather than ApiToken.extend(): an extension is documented as allOf with an anonymous part.
export const CreatedApiTokenSchema = z
  .object({
    ...ApiTokenSchema.shape,
    token: z.string().openapi({ description: 'The secret; shown this once and never again' }),
  })
  .openapi('CreatedApiToken');
