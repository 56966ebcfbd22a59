// npm run db:migrate: applies the app DB migrations and exits (safe to run from several replicas at once).
import { createDatabases } from '../db/index.ts';
import { migrateAppDatabase } from '../db/migrate.ts';
import { maskSecretsInText } from '../observability/redact.ts';
import { loadConfig, StartupRefused } from './bootstrap.ts';

try {
  const { config, logger } = loadConfig(process.env, Boolean(process.stdout.isTTY));
  const db = await createDatabases(config, logger);
  try {
    const result = await migrateAppDatabase(db.app, { logger });
    console.log(`migrations applied: ${result.applied.length}, already applied: ${result.alreadyApplied}`);
  } finally {
    await db.close();
  }
} catch (error) {
  console.error(
    error instanceof StartupRefused
      ? error.message
      : `migration error: ${maskSecretsInText((error as Error).message)}`,
  );
  process.exit(1);
}
