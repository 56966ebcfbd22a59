// The admin UI's two static files, served by the origin itself (no CDN; a strict CSP holds):
// htmx from the htmx.org package and the project's own stylesheet (views/static/admin.css).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { findProjectPath } from '../db/project-root.ts';

export interface AdminAsset {
  body: Uint8Array;
  contentType: string;
}

export interface AdminAssets {
  /** Names the content of both files; part of their URLs so they can be cached for long. */
  version: string;
  get(name: string): AdminAsset | undefined;
}

export function loadAdminAssets(): AdminAssets {
  const require = createRequire(import.meta.url);
  const htmx = readFileSync(require.resolve('htmx.org/dist/htmx.min.js'));
  const css = readFileSync(findProjectPath('views/static/admin.css', import.meta.url));
  const files: Record<string, AdminAsset> = {
    'htmx.min.js': { body: htmx, contentType: 'text/javascript; charset=utf-8' },
    'admin.css': { body: css, contentType: 'text/css; charset=utf-8' },
  };
  const version = createHash('sha256').update(htmx).update(css).digest('base64url').slice(0, 12);
  return { version, get: (name) => (Object.hasOwn(files, name) ? files[name] : undefined) };
}
