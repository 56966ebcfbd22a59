// Serves a test app over real HTTP on 127.0.0.1 (an OS-chosen port) for browsers and typed clients.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

export async function serveOnLoopback(fetch: (request: Request) => Response | Promise<Response>) {
  return new Promise<{ url: string; close: () => Promise<void> }>((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
