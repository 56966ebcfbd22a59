import { actorOf } from '../../../audit/record-audit.ts';
import type { AppRouteHandler } from '../../../http/openapi.ts';
import * as tokens from '../tokens.service.ts';
import type { createToken, listTokens, revokeToken } from './tokens.routes.ts';

export const listTokensHandler: AppRouteHandler<typeof listTokens> = async (c) => {
  const rows = await tokens.listApiTokens(c.var.deps.db.app.drizzle);
  return c.json({ items: rows.map(tokens.toApiTokenView) }, 200);
};

export const createTokenHandler: AppRouteHandler<typeof createToken> = async (c) => {
  const input = c.req.valid('json');
  const { token, view } = await tokens.issueApiToken(c.var.deps.db.app.drizzle, actorOf(c), {
    name: input.name,
    role: input.role,
    expiresInDays: input.expires_in_days,
  });
  c.header('Cache-Control', 'no-store');
  return c.json({ ...view, token }, 201);
};

export const revokeTokenHandler: AppRouteHandler<typeof revokeToken> = async (c) => {
  const view = await tokens.withdrawApiToken(c.var.deps.db.app.drizzle, actorOf(c), c.req.valid('param').id);
  return c.json(view, 200);
};
