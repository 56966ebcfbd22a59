// The Hono environment of the origin: what every handler finds on c.var.
// `deps` is typed by the application: src/deps.ts merges AppDependencies into AppServices below, so this
// infrastructure module names nothing above it (and http/ → deps.ts → services → http/ is no cycle).
import type { Logger } from '../observability/logger.ts';
import type { Principal } from './principal.ts';

// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in src/deps.ts
export interface AppServices {}

export interface AppVariables {
  requestId: string;
  deps: AppServices;
  logger: Logger;
  /** Set by authentication; undefined for anonymous requests. */
  principal: Principal | undefined;
}

export interface AppBindings {
  Variables: AppVariables;
}
