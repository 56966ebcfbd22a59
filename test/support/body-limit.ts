// What nginx/entrypoint/15-body-limit.envsh gives the nginx container for a MAX_FILE_SIZE value: the script
// itself runs under sh, as the nginx image's entrypoint sources it.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const script = join(import.meta.dirname, '../../nginx/entrypoint/15-body-limit.envsh');

export function nginxBodyLimitFor(env: {
  MAX_FILE_SIZE?: string;
  NGINX_CLIENT_MAX_BODY_SIZE?: string;
}): string {
  return execFileSync('sh', ['-c', `. "${script}"; printf '%s' "$NGINX_CLIENT_MAX_BODY_SIZE"`], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
}

/** The MAX_FILE_SIZE default docker/compose.base.yml hands the nginx container. */
export function composeMaxFileSizeDefault(composeBase: string): string {
  const match = /MAX_FILE_SIZE:\s*\$\{MAX_FILE_SIZE:-([^}]+)\}/.exec(composeBase);
  if (!match) throw new Error('compose.base.yml passes no MAX_FILE_SIZE default to nginx');
  return match[1]!;
}
