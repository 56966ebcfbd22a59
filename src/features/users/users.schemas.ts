import { z } from '@hono/zod-openapi';
import { withDefault } from '../../http/openapi.ts';
import { ROLES } from '../../http/principal.ts';

const password = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(1024)
  .openapi({ format: 'password', description: 'At least 12 characters; stored only as a scrypt hash' });

export const UserSchema = z
  .object({
    id: z.uuid(),
    username: z.string(),
    role: z.enum(ROLES),
    disabled: z.boolean(),
    created_by: z.string().nullable(),
    created_at: z.string().openapi({ format: 'date-time' }),
    updated_at: z.string().openapi({ format: 'date-time' }),
    password_changed_at: z.string().openapi({ format: 'date-time' }),
    last_login_at: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('User');

export const UserListSchema = z.object({ items: z.array(UserSchema) }).openapi('UserList');

export const CreateUserSchema = z
  .object({
    username: z
      .string()
      .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'letters, digits and . _ @ - only, at most 64')
      .openapi({ example: 'ops-alice' }),
    password,
    role: withDefault(z.enum(ROLES), 'viewer'),
  })
  .openapi('CreateUser');

export const UpdateUserSchema = z
  .object({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional() })
  .refine((value) => value.role !== undefined || value.disabled !== undefined, {
    message: 'give role or disabled',
  })
  .openapi('UpdateUser');

export const ResetPasswordSchema = z.object({ password }).openapi('ResetPassword');

export const UnlockResultSchema = z
  .object({
    user: UserSchema,
    was_locked: z.boolean().openapi({ description: 'Whether a lockout was in force and has been ended' }),
    locked_until: z
      .string()
      .nullable()
      .openapi({ format: 'date-time', description: 'When the ended lockout would have ended by itself' }),
  })
  .openapi('UnlockResult');
