import { createRouter } from '../../../http/router.ts';
import { issueTokenHandler, whoAmIHandler } from './auth.handlers.ts';
import { issueToken, whoAmI } from './auth.routes.ts';

export function createAuthRouter() {
  return createRouter().openapi(issueToken, issueTokenHandler).openapi(whoAmI, whoAmIHandler);
}
