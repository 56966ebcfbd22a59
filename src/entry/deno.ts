// The origin on Deno, from the same sources as the Node entry: parse env (src/config) → build dependencies →
// Deno.serve(createApp(deps).fetch) → graceful shutdown on SIGTERM/SIGINT. Run it with `deno task start`.
import { createApp } from '../app.ts';
import { createMetricsApp } from '../features/health/api/metrics.ts';
import { createMetrics } from '../observability/metrics.ts';
import { buildDependencies, loadConfig } from './bootstrap.ts';
import { listenRefusal, startupFailureLine } from './startup-lines.ts';

/** The part of the Deno namespace this entry uses (tsc runs without Deno's own types). */
interface DenoRuntime {
  env: { toObject(): Record<string, string> };
  stdout: { isTerminal(): boolean; writeSync(data: Uint8Array): number };
  serve(
    options: {
      port: number;
      hostname: string;
      onListen?: (address: { hostname: string; port: number }) => void;
      signal?: AbortSignal;
    },
    handler: (request: Request) => Response | Promise<Response>,
  ): { finished: Promise<void>; shutdown(): Promise<void>; addr: { hostname: string; port: number } };
  addSignalListener(signal: 'SIGTERM' | 'SIGINT', handler: () => void): void;
  exit(code: number): never;
}
declare const Deno: DenoRuntime;

/**
 * Log lines go straight to Deno's stdout, synchronously. pino's default (an async node:fs stream on fd 1)
 * lost every line written after the scheduler stopped during shutdown.
 */
function denoStdout() {
  const encoder = new TextEncoder();
  return {
    write(line: string) {
      const bytes = encoder.encode(line);
      let written = 0;
      while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
    },
  };
}

async function main() {
  const { config, logger } = loadConfig(Deno.env.toObject(), Deno.stdout.isTerminal(), denoStdout());
  const deps = await buildDependencies(config, logger);
  const background = (deps as { scheduler?: { start(): Promise<void>; stop(): Promise<void> } }).scheduler;
  deps.metrics ??= createMetrics({ processMetrics: true });
  const app = createApp(deps);
  /** Deno.serve throws at once when it cannot listen: that becomes the same one line as on Node. */
  const listen = (
    variable: 'PORT' | 'METRICS_PORT',
    port: number,
    handler: Parameters<DenoRuntime['serve']>[1],
  ) => {
    try {
      // onListen replaces Deno's own "Listening on …" line; the ready line below says it once.
      return Deno.serve({ port, hostname: config.host, onListen: () => {} }, handler);
    } catch (error) {
      throw listenRefusal(error, variable, config.host, port);
    }
  };
  let metricsServer: ReturnType<DenoRuntime['serve']> | undefined;
  let server: ReturnType<DenoRuntime['serve']>;
  try {
    // METRICS_PORT: /metrics on an internal listener, as on Node.
    if (config.metrics.port !== undefined) {
      metricsServer = listen('METRICS_PORT', config.metrics.port, createMetricsApp(deps, deps.metrics).fetch);
    }
    server = listen('PORT', config.port, app.fetch);
  } catch (error) {
    await metricsServer?.shutdown();
    await Promise.allSettled([deps.pages?.close(), deps.kv.close(), deps.db.close()]);
    throw error;
  }
  // As on Node: migrations ran in buildDependencies and the port is ours; only now may timers claim ticks,
  // so a process that cannot listen never runs a scheduler. It stops first on shutdown, while the pools are open.
  await background?.start();
  logger.info(
    { env: config.appEnv, runtime: 'deno', app_db: deps.db.app.label, kv: deps.kv.kind },
    `${config.projectName} ready on http://${server.addr.hostname}:${server.addr.port}`,
  );

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) {
      logger.warn('second signal: exiting now');
      Deno.exit(1);
    }
    shuttingDown = true;
    logger.info({ reason: signal, timeout_ms: config.shutdownTimeoutMs }, 'shutting down: draining');
    // server.shutdown() stops accepting and waits for in-flight requests; the timeout bounds the wait.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const drained = await Promise.race([
      server.shutdown().then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), config.shutdownTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!drained) logger.warn('shutdown timeout reached: exiting with requests in flight');
    for (const [name, close] of [
      ['metrics listener', async () => metricsServer?.shutdown()],
      ['scheduler', async () => background?.stop()],
      ['page cache', async () => deps.pages?.close()],
      ['kv', () => deps.kv.close()],
      ['databases', () => deps.db.close()],
    ] as const) {
      try {
        await close();
      } catch (error) {
        logger.error({ err: error, closer: name }, 'error while closing');
      }
    }
    logger.info({ drained }, 'shutdown complete');
    Deno.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    Deno.addSignalListener(signal, () => void shutdown(signal));
  }
}

main().catch((error: unknown) => {
  console.error(startupFailureLine(error));
  Deno.exit(1);
});
