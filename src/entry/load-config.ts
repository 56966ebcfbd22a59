// The config and the logger, read before anything else of the origin is loaded: a refused config costs the
// config module alone (src/entry/node.ts imports the app only after this succeeded).

import type { Config } from '../config/index.ts';
import { ConfigError, parseConfig } from '../config/index.ts';
import { createLogger, type Logger, type LoggerOptions } from '../observability/logger.ts';
import { StartupRefused } from './startup-lines.ts';

export function loadConfig(
  env: Record<string, string | undefined>,
  interactive: boolean,
  /** Where log lines go; the runtime's stdout when omitted (the Deno entry passes its own). */
  destination?: LoggerOptions['destination'],
): { config: Config; logger: Logger } {
  try {
    const { config, warnings } = parseConfig(env, { interactive });
    const logger = createLogger({
      level: config.log.level,
      pretty: config.log.pretty,
      ...(destination ? { destination } : {}),
    });
    for (const warning of warnings) logger.warn(warning);
    return { config, logger };
  } catch (error) {
    if (error instanceof ConfigError) throw new StartupRefused(`config error: ${error.message}`);
    throw error;
  }
}
