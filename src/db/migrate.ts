// Applies drizzle-kit's migrations (migrations/app) to the app DB.
// The whole run holds a transaction-scoped advisory lock, so replicas starting together apply each
// migration once and the losers find nothing left to do. The legacy DB is never migrated.
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Logger } from '../observability/logger.ts';
import type { SqlClient } from './client.ts';
import { findProjectPath } from './project-root.ts';

export const MIGRATIONS_TABLE = 'app_migrations';
/** An arbitrary constant shared by every replica: the advisory lock key for migrations. */
export const MIGRATION_LOCK_KEY = 7_240_517_321;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

export async function migrateAppDatabase(
  client: SqlClient,
  options: { logger?: Logger; migrationsFolder?: string } = {},
): Promise<MigrationResult> {
  const migrationsFolder = options.migrationsFolder ?? findProjectPath('migrations/app');
  const migrations = readMigrationFiles({ migrationsFolder });

  const result = await client.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(`create table if not exists ${MIGRATIONS_TABLE} (
      id serial primary key,
      hash text not null unique,
      folder_millis bigint not null,
      applied_at timestamptz not null default now()
    )`);
    const done = new Set(
      (await tx.query<{ hash: string }>(`select hash from ${MIGRATIONS_TABLE}`)).map((row) => row.hash),
    );
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.hash)) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) await tx.query(statement);
      }
      await tx.query(`insert into ${MIGRATIONS_TABLE} (hash, folder_millis) values ($1, $2)`, [
        migration.hash,
        migration.folderMillis,
      ]);
      applied.push(String(migration.folderMillis));
    }
    return { applied, alreadyApplied: done.size };
  });
  options.logger?.info(
    { db: client.label, applied: result.applied.length, already_applied: result.alreadyApplied },
    result.applied.length ? 'app database migrated' : 'app database schema is current',
  );
  return result;
}
