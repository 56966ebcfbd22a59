// The origin on Node: parse env → open pools → migrate (local) → serve → shut down on SIGTERM/SIGINT.
import { createApp } from '../app.ts';
import { buildDependencies, loadConfig, StartupRefused } from './bootstrap.ts';
import { startNodeServer } from './node-server.ts';

async function main() {
  const { config, logger } = loadConfig(process.env, Boolean(process.stdout.isTTY));
  const deps = await buildDependencies(config, logger);
  // Migrations ran in buildDependencies; only now may timers claim ticks.
  await deps.scheduler?.start();
  const app = createApp(deps);
  const running = await startNodeServer({
    fetch: app.fetch,
    port: config.port,
    host: config.host,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    logger,
    closers: [
      // First: timers stop, running jobs finish (or are aborted and marked) while the pools are still open.
      { name: 'scheduler', close: async () => deps.scheduler?.stop() },
      { name: 'kv', close: () => deps.kv.close() },
      { name: 'databases', close: () => deps.db.close() },
    ],
  });
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

  let signals = 0;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      signals++;
      if (signals > 1) {
        logger.warn('second signal: exiting now');
        process.exit(1);
      }
      void running.shutdown(signal).then(() => {
        logger.flush?.();
        process.exit(0);
      });
    });
  }
}

main().catch((error: unknown) => {
  if (error instanceof StartupRefused) {
    console.error(error.message);
  } else {
    console.error(`startup error: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
