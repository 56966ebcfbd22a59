// API tokens: long random secrets stored as sha256 hashes. The token is returned once, at creation.
// A token's hash is the lookup key, so nothing compares secrets byte by byte in application code. Issuing and
// revoking commit with their audit row in one transaction.
import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { type Actor, recordAudit } from '../../audit/record-audit.ts';
import type { Drizzle } from '../../db/index.ts';
import { type ApiTokenRow, apiTokens } from '../../db/schema/index.ts';
import { AppError } from '../../http/errors.ts';
import type { Role } from '../../http/principal.ts';

export const API_TOKEN_PREFIX = 'ast_';

export interface ApiTokenView {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export function toApiTokenView(row: ApiTokenRow): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt?.toISOString() ?? null,
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}

export const hashApiToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const looksLikeApiToken = (value: string) => value.startsWith(API_TOKEN_PREFIX);

export async function createApiToken(
  db: Drizzle,
  input: { name: string; role: Role; createdBy: string; expiresAt?: Date | null },
): Promise<{ token: string; row: ApiTokenRow }> {
  const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const [row] = await db
    .insert(apiTokens)
    .values({
      name: input.name,
      role: input.role,
      tokenHash: hashApiToken(token),
      prefix: token.slice(0, 12),
      createdBy: input.createdBy,
      expiresAt: input.expiresAt ?? null,
    })
    .returning();
  return { token, row: row! };
}

export async function listApiTokens(db: Drizzle): Promise<ApiTokenRow[]> {
  return db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt));
}

export async function findApiTokenById(db: Drizzle, id: string): Promise<ApiTokenRow | undefined> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, id)).limit(1);
  return row;
}

export async function revokeApiToken(db: Drizzle, id: string): Promise<ApiTokenRow | undefined> {
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: sql`coalesce(${apiTokens.revokedAt}, now())` })
    .where(eq(apiTokens.id, id))
    .returning();
  return row;
}

/** Issues a token on someone's behalf, audited (`token.create`); the token itself is in the answer only. */
export async function issueApiToken(
  db: Drizzle,
  actor: Actor,
  input: { name: string; role: Role; expiresInDays?: number | undefined },
): Promise<{ token: string; view: ApiTokenView }> {
  return db.transaction(async (tx) => {
    const created = await createApiToken(tx, {
      name: input.name,
      role: input.role,
      createdBy: actor.subject,
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
    });
    const view = toApiTokenView(created.row);
    await recordAudit(tx, actor, {
      action: 'token.create',
      targetType: 'api_token',
      targetId: created.row.id,
      after: view,
    });
    return { token: created.token, view };
  });
}

/** Revokes a token (again is harmless: the first revocation time stays), audited (`token.revoke`). */
export async function withdrawApiToken(db: Drizzle, actor: Actor, id: string): Promise<ApiTokenView> {
  const before = await findApiTokenById(db, id);
  if (!before) throw new AppError(404, 'not_found', 'No such API token');
  return db.transaction(async (tx) => {
    const revoked = toApiTokenView((await revokeApiToken(tx, id))!);
    await recordAudit(tx, actor, {
      action: 'token.revoke',
      targetType: 'api_token',
      targetId: id,
      before: toApiTokenView(before),
      after: revoked,
    });
    return revoked;
  });
}

/** The revoked token with this value, if any (asked only after the live lookup failed). */
export async function findRevokedApiToken(
  db: Drizzle,
  token: string,
): Promise<Pick<ApiTokenRow, 'id' | 'name'> | undefined> {
  const [row] = await db
    .select({ id: apiTokens.id, name: apiTokens.name })
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hashApiToken(token)), isNotNull(apiTokens.revokedAt)))
    .limit(1);
  return row;
}

/** The live (not revoked, not expired) token with this value, marking it used at most once a minute. */
export async function findLiveApiToken(db: Drizzle, token: string): Promise<ApiTokenRow | undefined> {
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(
      and(
        eq(apiTokens.tokenHash, hashApiToken(token)),
        isNull(apiTokens.revokedAt),
        sql`(${apiTokens.expiresAt} is null or ${apiTokens.expiresAt} > now())`,
      ),
    )
    .limit(1);
  if (row && (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000)) {
    await db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, row.id));
  }
  return row;
}
