// The one-shot npm commands that work on the databases (db:migrate, secrets:rotate): config parsed once, the
// pools opened and always closed, and a failure told in one line (the refusal as written, or the error with
// secrets masked) with exit code 1.
import type { Config } from '../config/index.ts';
import { createDatabases, type Databases } from '../db/index.ts';
import type { Logger } from '../observability/logger.ts';
import { maskSecretsInText } from '../observability/redact.ts';
import { loadConfig, StartupRefused } from './bootstrap.ts';

export async function runDatabaseCommand(
  /** Names the failure line: "<what> error: ...". */
  what: string,
  command: (context: { config: Config; logger: Logger; db: Databases }) => Promise<void>,
  /** Refuses before any connection is opened (throw StartupRefused). */
  precondition?: (config: Config) => void,
): Promise<void> {
  try {
    const { config, logger } = loadConfig(process.env, Boolean(process.stdout.isTTY));
    precondition?.(config);
    const db = await createDatabases(config, logger);
    try {
      await command({ config, logger, db });
    } finally {
      await db.close();
    }
  } catch (error) {
    console.error(
      error instanceof StartupRefused
        ? error.message
        : `${what} error: ${maskSecretsInText((error as Error).message)}`,
    );
    process.exit(1);
  }
}
