// The Hono environment of the origin: what every handler finds on c.var.
import type { AppDependencies } from '../deps.ts';
import type { Logger } from '../observability/logger.ts';

export interface AppVariables {
  requestId: string;
  deps: AppDependencies;
  logger: Logger;
}

export interface AppBindings {
  Variables: AppVariables;
}
