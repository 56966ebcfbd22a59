import { createRouter } from '../../../http/router.ts';
import * as handlers from './tokens.handlers.ts';
import * as routes from './tokens.routes.ts';

export function createTokensRouter() {
  return createRouter()
    .openapi(routes.listTokens, handlers.listTokensHandler)
    .openapi(routes.createToken, handlers.createTokenHandler)
    .openapi(routes.revokeToken, handlers.revokeTokenHandler);
}
