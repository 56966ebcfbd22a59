// The Hono environment of the edge worker: platform bindings on c.env, per-request values on c.var.
import type { EdgeBindings, EdgeConfig } from './config.ts';

export interface EdgeVariables {
  requestId: string;
  config: EdgeConfig;
  /** CF-Connecting-IP: set by Cloudflare's network, so it is the client's real address. */
  clientIp: string | undefined;
  /** True when the response came from the origin or the cache (its headers are the origin's). */
  servedFromOrigin: boolean;
}

export interface EdgeEnv {
  Bindings: EdgeBindings;
  Variables: EdgeVariables;
}
