// createDatabases(): the app DB (migrated) and the legacy DB (guarded), from config.
import { join } from 'node:path';
import type { Config } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import { maskSecretsInText, redactUrl } from '../observability/redact.ts';
import {
  compileWebAssemblyWithBaselineOnly,
  createPgliteClient,
  createPostgresClient,
  type SqlClient,
} from './client.ts';
import { createLegacyDatabase, type LegacyDatabase } from './legacy.ts';
import { ensureLegacyDemoSchema } from './legacy-demo.ts';
import { describePrivilegedRole, inspectLegacyRole } from './legacy-role.ts';

export type { Drizzle, Row, SqlClient, SqlExecutor } from './client.ts';
export type { LegacyDatabase } from './legacy.ts';

export interface Databases {
  app: SqlClient;
  /** Undefined when no legacy database is configured (production without DB_LEGACY_URL). */
  legacy: LegacyDatabase | undefined;
  close(): Promise<void>;
}

export class DatabaseStartupError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'DatabaseStartupError';
  }
}

async function openClient(
  variable: string,
  url: string | undefined,
  embeddedDir: string,
  max: number,
  logger: Logger,
): Promise<SqlClient> {
  if (url) {
    return createPostgresClient({
      url,
      label: redactUrl(url),
      max,
      logger,
      applicationName: `app-server ${variable}`,
    });
  }
  logger.info({ variable, data_dir: embeddedDir }, 'using embedded PGlite (local only)');
  compileWebAssemblyWithBaselineOnly();
  return createPgliteClient({ dataDir: embeddedDir, label: `pglite:${embeddedDir}` });
}

/** Opens both databases and checks they answer; with STARTUP_WITHOUT_POSTGRES a failure only warns. */
export async function createDatabases(config: Config, logger: Logger): Promise<Databases> {
  const embeddedRoot = join(config.dataDir, 'pglite');
  const app = await openClient(
    'DB_APP_URL',
    config.db.appUrl,
    join(embeddedRoot, 'app'),
    config.db.poolMax,
    logger,
  );

  let legacyClient: SqlClient | undefined;
  if (config.db.legacyUrl || !config.isProduction) {
    legacyClient = await openClient(
      'DB_LEGACY_URL',
      config.db.legacyUrl,
      join(embeddedRoot, 'legacy'),
      config.db.legacyPoolMax,
      logger,
    );
  }

  const answered = new Set<SqlClient>();
  for (const [variable, client] of [
    ['DB_APP_URL', app],
    ['DB_LEGACY_URL', legacyClient],
  ] as const) {
    if (!client) continue;
    try {
      await client.query('select 1');
      answered.add(client);
    } catch (error) {
      const reason = `cannot connect to ${client.label}: ${maskSecretsInText((error as Error).message)}`;
      if (!config.startup.withoutPostgres) {
        await Promise.allSettled([app.close(), legacyClient?.close()]);
        throw new DatabaseStartupError(variable, reason);
      }
      logger.warn({ variable }, `${reason}; starting anyway (STARTUP_WITHOUT_POSTGRES=true)`);
    }
  }

  if (legacyClient?.kind === 'pglite' && (await ensureLegacyDemoSchema(legacyClient))) {
    logger.info('embedded legacy database created with its demo schema (customers, orders)');
  }
  if (legacyClient && answered.has(legacyClient)) {
    const refusal = await checkLegacyRole(legacyClient, config, logger);
    if (refusal) {
      await Promise.allSettled([app.close(), legacyClient.close()]);
      throw new DatabaseStartupError('DB_LEGACY_URL', refusal);
    }
  }
  const legacy = legacyClient ? await createLegacyDatabase(legacyClient) : undefined;

  return {
    app,
    legacy,
    async close() {
      await Promise.allSettled([app.close(), legacy?.close()]);
    },
  };
}

/**
 * The legacy wall's second half at start: production refuses a legacy role that could delete or alter
 * (returns the one-line reason) unless LEGACY_ALLOW_PRIVILEGED_ROLE=true; elsewhere it warns in one line.
 * The embedded PGlite demo counts as local.
 */
async function checkLegacyRole(
  client: SqlClient,
  config: Config,
  logger: Logger,
): Promise<string | undefined> {
  let problem: string | undefined;
  try {
    problem = describePrivilegedRole(await inspectLegacyRole(client));
  } catch (error) {
    problem = `cannot inspect the legacy connection's role: ${maskSecretsInText((error as Error).message)}`;
  }
  if (!problem) return undefined;
  if (config.isProduction && !config.db.legacyAllowPrivilegedRole) {
    return `${problem} (or set LEGACY_ALLOW_PRIVILEGED_ROLE=true to start anyway)`;
  }
  const why = config.isProduction ? 'starting anyway (LEGACY_ALLOW_PRIVILEGED_ROLE=true)' : 'allowed locally';
  logger.warn({ variable: 'DB_LEGACY_URL' }, `${problem}; ${why}`);
  return undefined;
}
