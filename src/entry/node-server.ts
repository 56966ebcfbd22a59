// Serves a fetch handler on Node and shuts down gracefully: stop accepting, drain in-flight requests,
// run the closers (scheduler, pools), then resolve. Past the timeout, open connections are cut.
import type { AddressInfo, Socket } from 'node:net';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import type { Logger } from '../observability/logger.ts';
import { answerClientError, closeGentlyWhenBodyUnread } from './early-refusal.ts';

export const LISTEN_BACKLOG = 4096;

export interface NodeServerOptions {
  /** env: what @hono/node-server passes (the Node request and response, hence the socket's peer address). */
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
  port: number;
  host: string;
  shutdownTimeoutMs: number;
  logger: Logger;
  /** Run in order after the server stopped accepting and drained (or timed out). */
  closers?: { name: string; close: () => Promise<void> }[];
}

export interface RunningServer {
  server: ServerType;
  port: number;
  /** Resolves once everything is closed; `drained` is false when the timeout cut requests short. */
  shutdown(reason: string): Promise<{ drained: boolean }>;
}

/**
 * While draining, a connection is closed once it has carried no request for this long. Node's
 * closeIdleConnections() would also close a connection accepted a moment ago whose request the server has
 * not read yet, and that client would see a reset instead of an answer.
 */
const DRAIN_IDLE_GRACE_MS = 250;

export function startNodeServer(options: NodeServerOptions): Promise<RunningServer> {
  const { logger } = options;
  let draining = false;
  let inFlight = 0;
  const connections = new Map<Socket, { busy: number; idleSince: number }>();

  return new Promise((resolveStart, rejectStart) => {
    const server = createAdaptorServer({ fetch: options.fetch });
    server.once('error', rejectStart);
    // Refusals before the body was read, and requests the parser refused, reach the client (early-refusal.ts).
    server.prependListener('request', closeGentlyWhenBodyUnread);
    server.on('clientError', answerClientError);
    server.on('connection', (socket: Socket) => {
      connections.set(socket, { busy: 0, idleSince: performance.now() });
      socket.once('close', () => connections.delete(socket));
    });
    // serve() listens with Node's default backlog (511): a burst of new connections past it has its SYNs
    // dropped and retried by the clients after 1 s, 3 s, 7 s. The kernel caps this at net.core.somaxconn.
    server.listen({ port: options.port, host: options.host, backlog: LISTEN_BACKLOG }, () => {
      const info = server.address() as AddressInfo;
      logger.info({ host: info.address, port: info.port }, 'origin listening');
      resolveStart({ server, port: info.port, shutdown });
    });
    server.on('request', (req, res) => {
      inFlight++;
      const connection = connections.get(req.socket as Socket);
      if (connection) connection.busy++;
      // Once draining, tell keep-alive clients to reconnect elsewhere.
      if (draining) res.setHeader('Connection', 'close');
      res.once('close', () => {
        inFlight--;
        if (connection) {
          connection.busy--;
          connection.idleSince = performance.now();
        }
      });
    });
    /** Ends connections that carry no request and have been quiet for the grace period. */
    const closeQuietConnections = () => {
      const now = performance.now();
      for (const [socket, connection] of connections) {
        if (connection.busy === 0 && now - connection.idleSince >= DRAIN_IDLE_GRACE_MS) socket.destroy();
      }
    };

    let shuttingDown: Promise<{ drained: boolean }> | undefined;
    function shutdown(reason: string) {
      shuttingDown ??= (async () => {
        draining = true;
        logger.info(
          { reason, in_flight: inFlight, timeout_ms: options.shutdownTimeoutMs },
          'shutting down: draining',
        );
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        const idleSweep = setInterval(closeQuietConnections, 50);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), options.shutdownTimeoutMs);
        });
        const outcome = await Promise.race([closed.then(() => 'closed' as const), timedOut]);
        clearInterval(idleSweep);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          logger.warn({ in_flight: inFlight }, 'shutdown timeout reached: closing the remaining connections');
          if ('closeAllConnections' in server) server.closeAllConnections();
        }
        for (const closer of options.closers ?? []) {
          try {
            await closer.close();
          } catch (error) {
            logger.error({ err: error, closer: closer.name }, 'error while closing');
          }
        }
        logger.info({ drained: outcome === 'closed' }, 'shutdown complete');
        return { drained: outcome === 'closed' };
      })();
      return shuttingDown;
    }
  });
}
