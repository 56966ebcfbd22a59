// The origin on Node: parse env → open pools → migrate (local) → serve → shut down on SIGTERM/SIGINT.
import { createApp } from '../app.ts';
import { maskSecretsInText } from '../observability/redact.ts';
import { buildDependencies, loadConfig, StartupRefused } from './bootstrap.ts';
import { startNodeServer } from './node-server.ts';

async function main() {
  const { config, logger } = loadConfig(process.env, Boolean(process.stdout.isTTY));
  const deps = await buildDependencies(config, logger);
  const app = createApp(deps);
  const running = await startNodeServer({
    fetch: app.fetch,
    port: config.port,
    host: config.host,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    logger,
    closers: [
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
    // Unexpected failures can carry a connection string; the start line must never show a secret.
    console.error(
      `startup error: ${maskSecretsInText(error instanceof Error ? error.message : String(error))}`,
    );
  }
  process.exit(1);
});
