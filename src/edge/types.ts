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

/** Schedules work past the response when the platform offers it (workerd does; app.request in tests may not). */
export function waitUntilOf(executionCtx: () => { waitUntil(promise: Promise<unknown>): void }) {
  return (promise: Promise<unknown>) => {
    try {
      executionCtx().waitUntil(promise);
    } catch {
      void promise.catch(() => {});
    }
  };
}
