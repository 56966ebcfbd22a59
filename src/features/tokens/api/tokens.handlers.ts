import { auditContext, recordAudit } from '../../../audit/record-audit.ts';
import { AppError } from '../../../http/errors.ts';
import type { AppRouteHandler } from '../../../http/openapi.ts';
import * as tokens from '../tokens.service.ts';
import type { createToken, listTokens, revokeToken } from './tokens.routes.ts';

export const listTokensHandler: AppRouteHandler<typeof listTokens> = async (c) => {
  const rows = await tokens.listApiTokens(c.var.deps.db.app.drizzle);
  return c.json({ items: rows.map(tokens.toApiTokenView) }, 200);
};

export const createTokenHandler: AppRouteHandler<typeof createToken> = async (c) => {
  const input = c.req.valid('json');
  const { db } = c.var.deps;
  const audit = auditContext(c);
  const { token, view } = await db.app.drizzle.transaction(async (tx) => {
    const created = await tokens.createApiToken(tx, {
      name: input.name,
      role: input.role,
      createdBy: audit.actor,
      expiresAt: input.expires_in_days ? new Date(Date.now() + input.expires_in_days * 86_400_000) : null,
    });
    const createdView = tokens.toApiTokenView(created.row);
    await recordAudit(tx, {
      ...audit,
      action: 'token.create',
      targetType: 'api_token',
      targetId: created.row.id,
      after: createdView,
    });
    return { token: created.token, view: createdView };
  });
  c.header('Cache-Control', 'no-store');
  return c.json({ ...view, token }, 201);
};

export const revokeTokenHandler: AppRouteHandler<typeof revokeToken> = async (c) => {
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const before = await tokens.findApiTokenById(db.app.drizzle, id);
  if (!before) throw new AppError(404, 'not_found', 'No such API token');
  const audit = auditContext(c);
  const view = await db.app.drizzle.transaction(async (tx) => {
    const revoked = tokens.toApiTokenView((await tokens.revokeApiToken(tx, id))!);
    await recordAudit(tx, {
      ...audit,
      action: 'token.revoke',
      targetType: 'api_token',
      targetId: id,
      before: tokens.toApiTokenView(before),
      after: revoked,
    });
    return revoked;
  });
  return c.json(view, 200);
};
