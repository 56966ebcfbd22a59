import { createRoute } from '@hono/zod-openapi';
import { errorResponses, IdParamSchema, jsonBody, jsonContent } from '../../../http/openapi.ts';
import { requireRole } from '../../../http/principal.ts';
import {
  CreateUserSchema,
  ResetPasswordSchema,
  UnlockResultSchema,
  UpdateUserSchema,
  UserListSchema,
  UserSchema,
} from '../users.schemas.ts';

const adminOnly = requireRole('admin');

export const listUsers = createRoute({
  method: 'get',
  path: '/users',
  tags: ['users'],
  summary: 'List users (admin)',
  middleware: adminOnly,
  responses: { 200: jsonContent(UserListSchema, 'All users'), ...errorResponses(401, 403) },
});

export const getUser = createRoute({
  method: 'get',
  path: '/users/{id}',
  tags: ['users'],
  summary: 'Get one user (admin)',
  middleware: adminOnly,
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(UserSchema, 'The user'), ...errorResponses(401, 403, 404, 422) },
});

export const createUser = createRoute({
  method: 'post',
  path: '/users',
  tags: ['users'],
  summary: 'Create a user with a role (admin)',
  middleware: adminOnly,
  request: { body: jsonBody(CreateUserSchema) },
  responses: { 201: jsonContent(UserSchema, 'The new user'), ...errorResponses(401, 403, 409, 422) },
});

export const updateUser = createRoute({
  method: 'patch',
  path: '/users/{id}',
  tags: ['users'],
  summary: 'Change a user’s role or disable/enable them (admin; users are never deleted)',
  middleware: adminOnly,
  request: { params: IdParamSchema, body: jsonBody(UpdateUserSchema) },
  responses: { 200: jsonContent(UserSchema, 'The updated user'), ...errorResponses(401, 403, 404, 409, 422) },
});

export const resetPassword = createRoute({
  method: 'post',
  path: '/users/{id}/password',
  tags: ['users'],
  summary: 'Set a new password for a user (admin); their existing access tokens stop working',
  middleware: adminOnly,
  request: { params: IdParamSchema, body: jsonBody(ResetPasswordSchema) },
  responses: { 200: jsonContent(UserSchema, 'The user'), ...errorResponses(401, 403, 404, 422) },
});

export const unlockUser = createRoute({
  method: 'post',
  path: '/users/{id}/unlock',
  tags: ['users'],
  summary:
    'End a login lockout (admin): the user may log in again at once; their failed attempts are forgotten',
  middleware: adminOnly,
  request: { params: IdParamSchema },
  responses: {
    200: jsonContent(UnlockResultSchema, 'The user, and whether a lockout was ended'),
    ...errorResponses(401, 403, 404, 422),
  },
});
