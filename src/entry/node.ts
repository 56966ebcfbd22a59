// The origin on Node. This module loads next to nothing by itself: it turns on V8's compile cache, reads the
// config (a bad one is refused in one line before any of the app is loaded), and only then imports the origin
// (node-origin.ts: open pools → migrate (local) → serve → shut down on SIGTERM/SIGINT).
import { enableCompileCache, flushCompileCache } from 'node:module';

// Compiled code of every module is kept on disk (NODE_COMPILE_CACHE names the folder; the default is
// node-compile-cache under the OS temp dir) and reused by the next start when the file is unchanged.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. A folder that cannot be written only costs the speed-up.
enableCompileCache?.();

const { startupFailureLine } = await import('./startup-lines.ts');

try {
  const { loadConfig } = await import('./load-config.ts');
  const { config, logger } = loadConfig(process.env, Boolean(process.stdout.isTTY));
  const { runOrigin } = await import('./node-origin.ts');
  await runOrigin(config, logger);
  // Written now rather than at exit: a restart after a crash or SIGKILL finds the cache too.
  flushCompileCache?.();
} catch (error) {
  console.error(startupFailureLine(error));
  process.exit(1);
}
