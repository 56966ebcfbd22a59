// Runs the repository's nginx config with the real nginx binary: the template is rendered the way the nginx
// image does (envsubst of the NGINX_* variables), and only container paths (pid, logs, temp folders, conf.d,
// the worker user) are moved into a temp folder. Each rewrite must match, so a config change cannot slip by.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './binaries.ts';
import { freePort } from './ports.ts';
import { until } from './time-scale.ts';

const root = join(import.meta.dirname, '../..');

export function findNginxBinary(): string | undefined {
  return findBinary('nginx', ['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin']);
}

export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

function rewrite(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text))
    throw new Error(`nginx.conf no longer contains ${pattern}; update test/support/nginx.ts`);
  return text.replace(pattern, replacement);
}

export interface RunningNginx {
  url: string;
  /** The HTTPS address when started with `tls` (nginx/templates-tls/). */
  httpsUrl?: string;
  dir: string;
  stop(): Promise<void>;
  errorLog(): string;
}

export interface NginxTlsOptions {
  serverName: string;
  certificateFile: string;
  keyFile: string;
  acmeRoot: string;
}

export async function startNginx(options: {
  upstreamPort: number;
  clientMaxBodySize: string;
  /** Render the TLS server blocks (compose.aws) instead of the plain one. */
  tls?: NginxTlsOptions;
}): Promise<RunningNginx> {
  const binary = findNginxBinary();
  if (!binary) throw new Error('nginx not found');
  const dir = mkdtempSync(join(tmpdir(), 'app-server-nginx-'));
  const confD = join(dir, 'conf.d');
  mkdirSync(confD);
  mkdirSync(join(dir, 'cache'));
  const port = await freePort();
  const httpsPort = options.tls ? await freePort() : undefined;

  const { tls } = options;
  const template = readFileSync(
    join(root, tls ? 'nginx/templates-tls/default.conf.template' : 'nginx/templates/default.conf.template'),
    'utf8',
  );
  let server = renderTemplate(template, {
    NGINX_UPSTREAM: `127.0.0.1:${options.upstreamPort}`,
    NGINX_LISTEN: `127.0.0.1:${port}`,
    NGINX_CLIENT_MAX_BODY_SIZE: options.clientMaxBodySize,
    ...(tls && {
      NGINX_HTTPS_LISTEN: `127.0.0.1:${httpsPort}`,
      NGINX_SERVER_NAME: tls.serverName,
      NGINX_TLS_CERTIFICATE: tls.certificateFile,
      NGINX_TLS_CERTIFICATE_KEY: tls.keyFile,
      NGINX_ACME_ROOT: tls.acmeRoot,
    }),
  });
  if (/\$\{\w+\}/.test(server)) throw new Error('the template uses a variable this harness does not set');
  server = rewrite(server, /\/etc\/nginx\/snippets\//g, `${join(root, 'nginx/snippets')}/`);
  writeFileSync(join(confD, 'default.conf'), server);

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  let main = readFileSync(join(root, 'nginx/nginx.conf'), 'utf8');
  // Workers must write the temp folders; as root they would drop to a user that does not exist here.
  main = rewrite(main, /^user\s+nginx;$/m, isRoot ? 'user root root;' : '');
  main = rewrite(main, /^pid\s+\S+;$/m, `pid ${join(dir, 'nginx.pid')};`);
  main = rewrite(main, /^error_log\s+\S+(\s+\w+)?;$/m, `error_log ${join(dir, 'error.log')} info;`);
  main = rewrite(
    main,
    /access_log\s+\/var\/log\/nginx\/access\.log/,
    `access_log ${join(dir, 'access.log')}`,
  );
  main = rewrite(main, /\/var\/cache\/nginx\//g, `${join(dir, 'cache')}/`);
  main = rewrite(main, /include \/etc\/nginx\/conf\.d\/\*\.conf;/, `include ${confD}/*.conf;`);
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, main);

  execFileSync(binary, ['-t', '-q', '-c', conf, '-p', `${dir}/`], { stdio: 'pipe' });
  const child: ChildProcess = spawn(binary, ['-c', conf, '-p', `${dir}/`, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  // Ready when the port accepts a request (nginx answers even when the upstream is down).
  let outcome: 'ready' | 'exited';
  try {
    outcome = await until(
      async () => {
        if (child.exitCode !== null) return 'exited' as const;
        await fetch(`${url}/__nginx_ready`, { method: 'HEAD', redirect: 'manual' });
        return 'ready' as const;
      },
      { timeoutMs: 20_000, what: 'nginx accepting requests' },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`nginx did not start: ${(error as Error).message}\n${stderr}`);
  }
  if (outcome === 'exited') throw new Error(`nginx exited: ${stderr}`);

  return {
    url,
    ...(httpsPort && { httpsUrl: `https://127.0.0.1:${httpsPort}` }),
    dir,
    errorLog: () => readFileSync(join(dir, 'error.log'), 'utf8'),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
