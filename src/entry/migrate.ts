// npm run db:migrate: applies the app DB migrations and exits (safe to run from several replicas at once).
import { migrateAppDatabase } from '../db/migrate.ts';
import { runDatabaseCommand } from './database-command.ts';

await runDatabaseCommand('migration', async ({ db, logger }) => {
  const result = await migrateAppDatabase(db.app, { logger });
  console.log(`migrations applied: ${result.applied.length}, already applied: ${result.alreadyApplied}`);
});
