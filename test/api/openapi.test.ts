// The spec is generated from the routes' zod schemas; these tests hold it to the app's real route table,
// so routes added later (jobs, runs, functions, cron preview) are checked the same way automatically.
import { randomUUID } from 'node:crypto';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_PATHS, OPENAPI_PATH } from '../../src/api/docs/index.ts';
import { bearer, startTestApi, type TestApi } from '../support/api-app.ts';

type Operation = {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
};
type Spec = {
  openapi: string;
  info: { title: string; version: string };
  security: unknown[];
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  paths: Record<string, Record<string, Operation>>;
};

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
let api: TestApi;
let spec: Spec;

beforeAll(async () => {
  api = await startTestApi({ PROJECT_NAME: 'Spec Test Server' });
  const response = await api.app.request(OPENAPI_PATH);
  expect(response.status).toBe(200);
  spec = (await response.json()) as Spec;
});
afterAll(async () => {
  await api?.close();
});

/** The API operations the app really serves: its route table under /api, minus middleware and the docs. */
function servedOperations(): { method: string; path: string }[] {
  const seen = new Set<string>();
  const out: { method: string; path: string }[] = [];
  for (const route of api.app.routes) {
    if (route.method === 'ALL' || !route.path.startsWith('/api/') || DOCS_PATHS.includes(route.path))
      continue;
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: route.method, path: route.path });
  }
  return out;
}

const toSpecPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const operationOf = (method: string, path: string) => spec.paths[toSpecPath(path)]?.[method.toLowerCase()];
const isPublic = (operation: Operation | undefined) =>
  Array.isArray(operation?.security) && operation.security.length === 0;
const concretePath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, () => randomUUID());

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 with the bearer scheme and the project’s name', async () => {
    const result = await validate(structuredClone(spec) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(spec.openapi).toBe('3.1.0');
    expect(spec.info.title).toBe('Spec Test Server API');
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(spec.security).toEqual([{ bearerAuth: [] }, { oauth2Password: [] }]);
  });

  it('lists every operation the app serves under /api, and nothing it does not serve', () => {
    const served = servedOperations()
      .map((op) => `${op.method} ${toSpecPath(op.path)}`)
      .sort();
    const documented = Object.entries(spec.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(served.length).toBeGreaterThan(10);
    expect(documented).toEqual(served);
  });

  it('gives every operation a summary, tags, 401 unless public, and the envelope for each 4xx', () => {
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(operation.summary, where).toBeTruthy();
        expect(operation.tags?.length, where).toBeGreaterThan(0);
        const statuses = Object.keys(operation.responses);
        // An operation is either served (a 2xx) or documented as refused by policy (405, like DELETE on a job).
        expect(
          statuses.some((status) => status.startsWith('2') || status === '405'),
          where,
        ).toBe(true);
        if (!isPublic(operation)) expect(statuses, where).toContain('401');
        // Every 4xx is the envelope (the health check's 503 carries the health report instead).
        for (const status of statuses.filter((s) => s.startsWith('4'))) {
          const schema = operation.responses[status]!.content?.['application/json']?.schema;
          expect(schema?.$ref, `${where} ${status}`).toBe('#/components/schemas/ErrorEnvelope');
        }
      }
    }
  });
});

describe('route scan: authentication and roles on every served route', () => {
  it('answers 401 in the envelope without a token on every non-public route', async () => {
    const checked: string[] = [];
    for (const { method, path } of servedOperations()) {
      if (isPublic(operationOf(method, path))) continue;
      const response = await api.app.request(concretePath(path), { method });
      expect(response.status, `${method} ${path}`).toBe(401);
      const body = (await response.json()) as { error_code: string; trace_id: string };
      expect(body.trace_id, `${method} ${path}`).toBe(response.headers.get('x-request-id'));
      checked.push(`${method} ${path}`);
    }
    expect(checked.length).toBeGreaterThan(10);
  });

  it('answers 403 in the envelope to a viewer on every mutating route', async () => {
    const viewer = await api.userToken('viewer');
    const mutating = servedOperations().filter(
      ({ method, path }) => MUTATING.has(method) && !isPublic(operationOf(method, path)),
    );
    expect(mutating.length).toBeGreaterThan(5);
    for (const { method, path } of mutating) {
      const response = await api.app.request(concretePath(path), {
        method,
        headers: { ...bearer(viewer), 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(((await response.json()) as { error_code: string }).error_code).toBe('forbidden');
    }
  });

  it('keeps exactly the health check and the login public', () => {
    const publicOps = servedOperations()
      .filter(({ method, path }) => isPublic(operationOf(method, path)))
      .map(({ method, path }) => `${method} ${path}`);
    expect(publicOps.sort()).toEqual([
      `GET ${api.config.apiPrefix}/health`,
      `POST ${api.config.apiPrefix}/auth/token`,
    ]);
  });
});

describe('docs access', () => {
  it('needs a token for the spec and the UI when API_DOCS_PUBLIC=false, not for the static assets', async () => {
    const privateDocs = await startTestApi({ API_DOCS_PUBLIC: 'false' });
    try {
      expect((await privateDocs.app.request(OPENAPI_PATH)).status).toBe(401);
      expect((await privateDocs.app.request('/api/docs')).status).toBe(401);
      const viewer = await privateDocs.userToken('viewer');
      const withToken = await privateDocs.app.request(OPENAPI_PATH, { headers: bearer(viewer) });
      expect(withToken.status).toBe(200);
      expect(withToken.headers.get('cache-control')).toBe('private, no-cache');
      expect((await privateDocs.app.request('/api/docs/assets/swagger-ui.css')).status).toBe(200);
    } finally {
      await privateDocs.close();
    }
  });

  it('serves only the listed Swagger assets', async () => {
    expect((await api.app.request('/api/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
    expect((await api.app.request('/api/docs/assets/package.json')).status).toBe(404);
    expect((await api.app.request('/api/docs/assets/..%2Fpackage.json')).status).toBe(404);
  });
});
