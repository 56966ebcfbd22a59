// The Hono environment of the origin: what every handler finds on c.var.
import type { AppDependencies } from '../deps.ts';
import type { Logger } from '../observability/logger.ts';
import type { Principal } from './principal.ts';

export interface AppVariables {
  requestId: string;
  deps: AppDependencies;
  logger: Logger;
  /** Set by authentication; undefined for anonymous requests. */
  principal: Principal | undefined;
}

export interface AppBindings {
  Variables: AppVariables;
}
