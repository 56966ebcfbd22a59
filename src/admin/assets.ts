// The admin UI's static files, served by the origin itself (no CDN; a strict CSP holds): htmx from the
// htmx.org package, the project's own stylesheet and app icon (views/static/).
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
  const own = (name: string) => readFileSync(findProjectPath(`views/static/${name}`, import.meta.url));
  const files: Record<string, AdminAsset> = {
    'htmx.min.js': { body: htmx, contentType: 'text/javascript; charset=utf-8' },
    'admin.css': { body: own('admin.css'), contentType: 'text/css; charset=utf-8' },
    'icon.svg': { body: own('icon.svg'), contentType: 'image/svg+xml' },
    'icon-180.png': { body: own('icon-180.png'), contentType: 'image/png' },
  };
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) hash.update(files[name]!.body);
  const version = hash.digest('base64url').slice(0, 12);
  return { version, get: (name) => (Object.hasOwn(files, name) ? files[name] : undefined) };
}
