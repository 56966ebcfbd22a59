// Every 401 and 403 the origin answers (API, admin UI, /metrics) is a security event: a burst of them is how
// token guessing and permission probing look from here.
import type { MiddlewareHandler } from 'hono';
import { clientIp } from '../../http/client-ip.ts';
import type { AppBindings } from '../../http/types.ts';

export function deniedResponses(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    await next();
    const status = c.res.status;
    if (status !== 401 && status !== 403) return;
    c.var.deps.security.record({
      event: status === 401 ? 'unauthorized' : 'forbidden',
      method: c.req.method,
      path: c.req.path.slice(0, 200),
      ip: clientIp(c),
    });
  };
}
