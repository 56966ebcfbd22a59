// Where sealed values live in the app DB, the start-up check over them, and key rotation.
// Every place that stores sealed values is listed in SEALED_COLUMNS, so the check and the rotation cover it.
import type { EncryptionKeys } from '../config/index.ts';
import type { SqlClient } from '../db/index.ts';
import { holdsSealed, mapSealed, type SecretBox } from './secret-box.ts';

export const SEALED_COLUMNS = [
  { table: 'scheduled_jobs', column: 'kwargs' },
  { table: 'alert_channels', column: 'secrets' },
] as const;

type Row = { id: string; doc: unknown };

async function rowsWithSealed(db: SqlClient, table: string, column: string): Promise<Row[]> {
  // The LIKE only narrows the scan; holdsSealed decides.
  const rows = await db.query<Row>(
    `select id::text as id, ${column} as doc from ${table} where ${column}::text like '%"$secret"%'`,
  );
  return rows.filter((row) => holdsSealed(row.doc));
}

function keyIdsIn(doc: unknown, into: Set<string>) {
  mapSealed(doc, (sealed) => {
    into.add(sealed.$secret.kid);
    return sealed;
  });
}

/** Key ids of stored values that no configured key can open (all of them when no key is set). */
export async function unopenableKeyIds(db: SqlClient, knownKeyIds: Iterable<string>) {
  const known = new Set(knownKeyIds);
  const seen = new Set<string>();
  for (const { table, column } of SEALED_COLUMNS) {
    // Before its migration a table is not there yet: nothing is stored in it.
    const [exists] = await db.query<{ t: string | null }>('select to_regclass($1)::text as t', [table]);
    if (!exists?.t) continue;
    for (const row of await rowsWithSealed(db, table, column)) keyIdsIn(row.doc, seen);
  }
  return [...seen].filter((kid) => !known.has(kid));
}

/**
 * The production start check: the one line to refuse with when stored secrets cannot be opened by any configured
 * key (none set, or a retired key dropped too early), else undefined.
 */
export async function storedSecretsProblem(db: SqlClient, keys: EncryptionKeys): Promise<string | undefined> {
  const missing = await unopenableKeyIds(db, keys.keys.keys());
  if (missing.length === 0) return undefined;
  return keys.currentKeyId
    ? `config error: ENCRYPTION_KEYS: stored secrets use key id(s) ${missing.join(', ')}, which no configured key has`
    : 'config error: ENCRYPTION_KEY: secret values are stored in the database but ENCRYPTION_KEY is not set';
}

export interface RotationReport {
  rows_updated: number;
  secrets_reencrypted: number;
  secrets_already_current: number;
}

/**
 * Re-encrypts every stored secret under the current key. Idempotent: values already under it are left alone, so a
 * second run reports 0 re-encrypted. Each row is rewritten under its row lock; versions are not bumped (the
 * meaning of the row does not change).
 */
export async function rotateSecrets(db: SqlClient, box: SecretBox): Promise<RotationReport> {
  const report: RotationReport = { rows_updated: 0, secrets_reencrypted: 0, secrets_already_current: 0 };
  for (const { table, column } of SEALED_COLUMNS) {
    for (const { id } of await rowsWithSealed(db, table, column)) {
      await db.transaction(async (tx) => {
        const [row] = await tx.query<Row>(
          `select ${column} as doc from ${table} where id = $1::uuid for update`,
          [id],
        );
        if (!row) return;
        let changed = 0;
        const doc = mapSealed(row.doc, (sealed) => {
          if (box.isCurrent(sealed)) {
            report.secrets_already_current++;
            return sealed;
          }
          changed++;
          return box.seal(box.open(sealed));
        });
        if (changed === 0) return;
        await tx.query(`update ${table} set ${column} = $2::jsonb where id = $1::uuid`, [
          id,
          JSON.stringify(doc),
        ]);
        report.rows_updated++;
        report.secrets_reencrypted += changed;
      });
    }
  }
  return report;
}
