import { defineRoute, IdParamSchema, jsonBody, jsonContent } from '../../../http/openapi.ts';
import {
  CreateUserSchema,
  ResetPasswordSchema,
  UnlockResultSchema,
  UpdateUserSchema,
  UserListSchema,
  UserSchema,
} from '../users.schemas.ts';

export const listUsers = defineRoute({
  operationId: 'listUsers',
  method: 'get',
  path: '/users',
  tag: 'users',
  summary: 'List users (admin)',
  access: 'admin',
  responses: { 200: jsonContent(UserListSchema, 'All users') },
});

export const getUser = defineRoute({
  operationId: 'getUser',
  method: 'get',
  path: '/users/{id}',
  tag: 'users',
  summary: 'Get one user (admin)',
  access: 'admin',
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(UserSchema, 'The user') },
});

export const createUser = defineRoute({
  operationId: 'createUser',
  method: 'post',
  path: '/users',
  tag: 'users',
  summary: 'Create a user with a role (admin)',
  access: 'admin',
  request: { body: jsonBody(CreateUserSchema) },
  responses: { 201: jsonContent(UserSchema, 'The new user', ['Location']) },
  errors: [409],
});

export const updateUser = defineRoute({
  operationId: 'updateUser',
  method: 'patch',
  path: '/users/{id}',
  tag: 'users',
  summary: 'Change a user’s role or disable/enable them (admin; users are never deleted)',
  access: 'admin',
  request: { params: IdParamSchema, body: jsonBody(UpdateUserSchema) },
  responses: { 200: jsonContent(UserSchema, 'The updated user') },
  errors: [409],
});

export const resetPassword = defineRoute({
  operationId: 'resetUserPassword',
  method: 'post',
  path: '/users/{id}/password',
  tag: 'users',
  summary: 'Set a new password for a user (admin); their existing access tokens stop working',
  access: 'admin',
  request: { params: IdParamSchema, body: jsonBody(ResetPasswordSchema) },
  responses: { 200: jsonContent(UserSchema, 'The user') },
});

export const unlockUser = defineRoute({
  operationId: 'unlockUser',
  method: 'post',
  path: '/users/{id}/unlock',
  tag: 'users',
  summary:
    'End a login lockout (admin): the user may log in again at once; their failed attempts are forgotten',
  access: 'admin',
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(UnlockResultSchema, 'The user, and whether a lockout was ended') },
});
