import { createRouter } from '../../../http/router.ts';
import * as handlers from './users.handlers.ts';
import * as routes from './users.routes.ts';

export function createUsersRouter() {
  return createRouter()
    .openapi(routes.listUsers, handlers.listUsersHandler)
    .openapi(routes.createUser, handlers.createUserHandler)
    .openapi(routes.getUser, handlers.getUserHandler)
    .openapi(routes.updateUser, handlers.updateUserHandler)
    .openapi(routes.resetPassword, handlers.resetPasswordHandler)
    .openapi(routes.unlockUser, handlers.unlockUserHandler);
}
