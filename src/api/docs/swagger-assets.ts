// Swagger UI's files from the swagger-ui-dist package, served by the origin itself: no CDN, so the page
// works without network access and under a strict Content-Security-Policy.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The only files served; a request for anything else is a 404, so no client input reaches a path. */
export const SWAGGER_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

export interface SwaggerAssets {
  version: string;
  get(name: string): { body: Uint8Array; contentType: string } | undefined;
}

export function loadSwaggerAssets(): SwaggerAssets {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('swagger-ui-dist/package.json');
  const root = dirname(packageJson);
  const version = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
  const cache = new Map<string, Uint8Array>();
  return {
    version,
    get(name) {
      const contentType = SWAGGER_ASSETS[name];
      if (!contentType) return undefined;
      let body = cache.get(name);
      if (!body) {
        body = readFileSync(join(root, name));
        cache.set(name, body);
      }
      return { body, contentType };
    },
  };
}
