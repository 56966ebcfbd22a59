// The origin on Node once its config is read (src/entry/node.ts): open pools → migrate (local) → serve → shut
// down on SIGTERM/SIGINT.
import { createApp } from '../app.ts';
import type { Config } from '../config/index.ts';
import { createMetricsApp } from '../features/health/api/metrics.ts';
import type { Logger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { buildDependencies } from './bootstrap.ts';
import { startNodeServer } from './node-server.ts';
import { listenRefusal } from './startup-lines.ts';

/**
 * Signals are handled from the first moment: a stop requested while the databases open (an embedded PGlite
 * may be writing its files) waits for the start to reach a safe point, closes what was opened and exits 0.
 */
function handleStopSignals(logger: Logger) {
  let requested: string | undefined;
  let stop: ((signal: string) => Promise<void>) | undefined;
  let signals = 0;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      signals++;
      if (signals > 1) {
        logger.warn('second signal: exiting now');
        process.exit(1);
      }
      if (stop) void stop(signal);
      else {
        requested = signal;
        logger.info(
          { signal },
          'stop requested while starting: stopping once the start reaches a safe point',
        );
      }
    });
  }
  return {
    requested: () => requested,
    onStop(handler: (signal: string) => Promise<void>) {
      stop = handler;
      if (requested) void handler(requested);
    },
  };
}

/** Resolves once the origin listens and its scheduler runs; a refusal rejects (one line, see startup-lines). */
export async function runOrigin(config: Config, logger: Logger): Promise<void> {
  const signals = handleStopSignals(logger);
  const exit = (code: number) => {
    logger.flush?.();
    process.exit(code);
  };

  const deps = await buildDependencies(config, logger);
  if (signals.requested()) {
    await Promise.allSettled([deps.pages?.close(), deps.kv.close(), deps.db.close()]);
    logger.info({ reason: signals.requested() }, 'shutdown complete');
    return exit(0);
  }
  deps.metrics ??= createMetrics({ processMetrics: true });
  const app = createApp(deps);
  const closeDependencies = () => Promise.allSettled([deps.kv.close(), deps.db.close()]);
  // METRICS_PORT: /metrics on an internal listener (not published outside the container network).
  const metricsServer =
    config.metrics.port === undefined
      ? undefined
      : await startNodeServer({
          fetch: createMetricsApp(deps, deps.metrics).fetch,
          port: config.metrics.port,
          host: config.host,
          shutdownTimeoutMs: 1_000,
          logger: logger.child({ listener: 'metrics' }),
        }).catch(async (error: unknown) => {
          await closeDependencies();
          throw listenRefusal(error, 'METRICS_PORT', config.host, config.metrics.port!);
        });
  const running = await startNodeServer({
    fetch: app.fetch,
    port: config.port,
    host: config.host,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    logger,
    closers: [
      { name: 'metrics listener', close: async () => void (await metricsServer?.shutdown('stop')) },
      // Then: timers stop, running jobs finish (or are aborted and marked) while the pools are still open.
      { name: 'scheduler', close: async () => deps.scheduler?.stop() },
      { name: 'file mirror', close: async () => deps.mirror?.stop() },
      { name: 'page cache', close: async () => deps.pages?.close() },
      { name: 'kv', close: () => deps.kv.close() },
      { name: 'databases', close: () => deps.db.close() },
    ],
  }).catch(async (error: unknown) => {
    await metricsServer?.shutdown('listen failed');
    await closeDependencies();
    throw listenRefusal(error, 'PORT', config.host, config.port);
  });
  // Migrations ran in buildDependencies and the port is ours: only now may timers claim ticks, so a
  // process that cannot listen never runs (or logs) a scheduler.
  await deps.scheduler?.start();
  deps.mirror?.start();
  logger.info(
    {
      env: config.appEnv,
      app_db: deps.db.app.label,
      legacy_db: deps.db.legacy?.label ?? 'disabled',
      kv: deps.kv.kind,
      scheduler: deps.scheduler ? deps.scheduler.stats() : 'disabled',
    },
    `${config.projectName} ready on http://${config.host}:${running.port}`,
  );
  signals.onStop(async (signal) => {
    await running.shutdown(signal);
    exit(0);
  });
}
