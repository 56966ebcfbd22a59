// The origin on Deno, from the same sources as the Node entry: parse env (src/config) → build dependencies →
// Deno.serve(createApp(deps).fetch) → graceful shutdown on SIGTERM/SIGINT. Run it with `deno task start`.
import { createApp } from '../app.ts';
import { createMetricsApp } from '../features/health/api/metrics.ts';
import { createMetrics } from '../observability/metrics.ts';
import { buildDependencies, loadConfig, StartupRefused } from './bootstrap.ts';

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
  ): { finished: Promise<void>; shutdown(): Promise<void> };
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
  // As on Node: background work (the scheduler, once the deps carry one) starts after the migrations ran
  // in buildDependencies, and stops first on shutdown, while the pools are still open.
  const background = (deps as { scheduler?: { start(): Promise<void>; stop(): Promise<void> } }).scheduler;
  await background?.start();
  deps.metrics ??= createMetrics({ processMetrics: true });
  const app = createApp(deps);
  // METRICS_PORT: /metrics on an internal listener, as on Node.
  const metricsServer =
    config.metrics.port === undefined
      ? undefined
      : Deno.serve(
          { port: config.metrics.port, hostname: config.host },
          createMetricsApp(deps, deps.metrics).fetch,
        );

  const server = Deno.serve(
    {
      port: config.port,
      hostname: config.host,
      onListen: ({ hostname, port }) => {
        logger.info(
          { env: config.appEnv, runtime: 'deno', app_db: deps.db.app.label, kv: deps.kv.kind },
          `${config.projectName} ready on http://${hostname}:${port}`,
        );
      },
    },
    app.fetch,
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
  if (error instanceof StartupRefused) {
    console.error(error.message);
  } else {
    console.error(`startup error: ${error instanceof Error ? error.message : String(error)}`);
  }
  Deno.exit(1);
});
