// What the parts of the alerts service share: built once by createAlertsService.
import type { Config } from '../../config/index.ts';
import type { SqlClient } from '../../db/index.ts';
import type { Logger } from '../../observability/logger.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';

export interface AlertsServiceDeps {
  db: SqlClient;
  config: Pick<Config, 'alerts' | 'encryption' | 'isProduction'>;
  logger: Logger;
  /** Seals channel secrets (ENCRYPTION_KEY). */
  secrets: SecretBox;
}

export interface AlertsContext {
  db: SqlClient;
  config: AlertsServiceDeps['config'];
  settings: Config['alerts'];
  secrets: SecretBox;
  log: Logger;
}

export function alertsContext(deps: AlertsServiceDeps): AlertsContext {
  return {
    db: deps.db,
    config: deps.config,
    settings: deps.config.alerts,
    secrets: deps.secrets,
    log: deps.logger.child({ component: 'alerts' }),
  };
}
