// The spec is generated from the routes' zod schemas; these tests hold it to the app's real route table,
// so routes added later (jobs, runs, functions, cron preview) are checked the same way automatically.
import { randomUUID } from 'node:crypto';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_PATHS, OPENAPI_PATH } from '../../src/api/docs/index.ts';
import { bearer, startTestApi, type TestApi } from '../support/api-app.ts';

type Operation = {
  operationId?: string;
  summary?: string;
  requestBody?: unknown;
  tags?: string[];
  security?: unknown[];
  responses: Record<
    string,
    { content?: Record<string, { schema?: { $ref?: string } }>; headers?: Record<string, unknown> }
  >;
};
type Spec = {
  openapi: string;
  info: { title: string; version: string; license?: { name: string; identifier?: string } };
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  security: unknown[];
  components: {
    securitySchemes: Record<string, { type: string; scheme: string }>;
    schemas: Record<string, unknown>;
    headers: Record<string, unknown>;
  };
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

  it('lists every operation the app serves under /api (HEAD beside each GET), and nothing it does not serve', () => {
    // Hono answers HEAD for every GET route; the route table lists only the GET.
    const served = servedOperations()
      .flatMap((op) =>
        (op.method === 'GET' ? ['GET', 'HEAD'] : [op.method]).map((m) => `${m} ${toSpecPath(op.path)}`),
      )
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
        // Every 4xx is the envelope (the health check's 503 carries the health report instead); HEAD has no body.
        if (method === 'head') continue;
        for (const status of statuses.filter((s) => s.startsWith('4'))) {
          const schema = operation.responses[status]!.content?.['application/json']?.schema;
          expect(schema?.$ref, `${where} ${status}`).toBe('#/components/schemas/ErrorEnvelope');
        }
      }
    }
  });
});

const operations = () =>
  Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      where: `${method.toUpperCase()} ${path}`,
      method,
      path,
      operation,
    })),
  );

// Names a generated client would shadow: the runtime's globals and the DOM's (lib.dom), which generators
// emit as type names (a schema named File broke orval's output under tsc).
const DOM_GLOBALS = [
  'Attr',
  'Audio',
  'Blob',
  'Cache',
  'Clipboard',
  'Comment',
  'Credential',
  'Document',
  'Element',
  'Event',
  'File',
  'FileList',
  'FileReader',
  'FormData',
  'Headers',
  'History',
  'Image',
  'Location',
  'MimeType',
  'Navigator',
  'Node',
  'NodeList',
  'Notification',
  'Option',
  'Performance',
  'Permissions',
  'Plugin',
  'Range',
  'Request',
  'Response',
  'Screen',
  'Selection',
  'Storage',
  'Text',
  'Touch',
  'URL',
  'Window',
  'Worker',
];
const RESERVED_NAMES = new Set([...Object.getOwnPropertyNames(globalThis), ...DOM_GLOBALS]);

/** Every object schema with properties that is not a component of its own (generators name those badly). */
function anonymousObjects(node: unknown, at: string, isComponentRoot: boolean, out: string[]): string[] {
  if (!node || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) anonymousObjects(item, `${at}/${index}`, false, out);
    return out;
  }
  const schema = node as Record<string, unknown>;
  if (schema.properties && !isComponentRoot) out.push(at);
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'example' || key === 'examples' || key === 'default') continue;
    anonymousObjects(value, `${at}/${key}`, false, out);
  }
  return out;
}

describe('the contract generated clients rely on', () => {
  it('names every operation with a unique, stable camelCase operationId', () => {
    const ids = operations().map(({ where, operation }) => {
      expect(operation.operationId, where).toMatch(/^[a-z][a-zA-Z0-9]+$/);
      return operation.operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining(['listJobs', 'createJob', 'runJob', 'previewCron', 'uploadFile']),
    );
  });

  it('declares servers, a license and every tag it uses, each with a description', () => {
    expect(spec.servers?.length).toBeGreaterThan(0);
    expect(spec.info.license).toMatchObject({ name: 'MIT', identifier: 'MIT' });
    const declared = new Map((spec.tags ?? []).map((tag) => [tag.name, tag.description]));
    for (const { where, operation } of operations()) {
      for (const tag of operation.tags ?? []) expect(declared.get(tag), `${where} tag ${tag}`).toBeTruthy();
    }
  });

  it('names every object schema as a component, and no component after a JavaScript or DOM global', () => {
    const inline: string[] = [];
    for (const [name, schema] of Object.entries(spec.components.schemas)) {
      expect(RESERVED_NAMES.has(name), `schema ${name} shadows a global`).toBe(false);
      anonymousObjects(schema, `#/components/schemas/${name}`, true, inline);
    }
    anonymousObjects(spec.paths, '#/paths', false, inline);
    expect(inline).toEqual([]);
  });

  it('declares on each operation every status the server can derive from it, with X-Request-Id', () => {
    for (const { where, method, path, operation } of operations()) {
      const statuses = Object.keys(operation.responses);
      const expected = ['500'];
      if (!path.endsWith('/health')) expected.push('429');
      if (!isPublic(operation)) expected.push('401');
      if (path.includes('{id}')) expected.push('404');
      if (operation.requestBody) expected.push('400', '413', '415', '422');
      if (method === 'get' && !isPublic(operation)) expected.push('304');
      expect(statuses, where).toEqual(expect.arrayContaining(expected));
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(response.headers?.['X-Request-Id'], `${where} ${status}`).toEqual({
          $ref: '#/components/headers/X-Request-Id',
        });
      }
    }
  });
});

describe('answers outside the happy path match the document', () => {
  it('HEAD, 304 and 404 on a GET operation carry only declared statuses and headers', async () => {
    const viewer = bearer(await api.userToken('viewer'));
    const jobs = `${api.config.apiPrefix}/jobs`;
    // Each request below goes through the conformance layer (test/support/openapi-conformance.ts).
    const head = await api.app.request(jobs, { method: 'HEAD', headers: viewer });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const etag = head.headers.get('etag')!;
    const notModified = await api.app.request(jobs, { headers: { ...viewer, 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    const headMissing = await api.app.request(`${jobs}/${randomUUID()}`, { method: 'HEAD', headers: viewer });
    expect(headMissing.status).toBe(404);
    expect((await api.app.request(`${jobs}/not-a-uuid`, { headers: viewer })).status).toBe(404);
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
      expect((await privateDocs.app.request(await swaggerAsset(privateDocs, 'swagger-ui.css'))).status).toBe(
        200,
      );
    } finally {
      await privateDocs.close();
    }
  });

  it('serves only the listed Swagger assets, of the installed version', async () => {
    const bundle = await swaggerAsset(api, 'swagger-ui-bundle.js');
    expect((await api.app.request(bundle)).status).toBe(200);
    const folder = bundle.slice(0, bundle.lastIndexOf('/') + 1);
    expect((await api.app.request(`${folder}package.json`)).status).toBe(404);
    expect((await api.app.request(`${folder}..%2Fpackage.json`)).status).toBe(404);
    expect((await api.app.request('/api/docs/assets/swagger-ui-dist@0.0.0/swagger-ui.css')).status).toBe(404);
  });
});

/** The URL the docs page loads a Swagger UI file from (versioned, as @hono/swagger-ui builds it). */
async function swaggerAsset(target: TestApi, file: string): Promise<string> {
  const page = await (
    await target.app.request('/api/docs', { headers: bearer(await target.userToken('viewer')) })
  ).text();
  const url = new RegExp(`(/api/docs/assets/swagger-ui-dist@[^/]+/)${file.replace('.', '\\.')}`).exec(
    page,
  )?.[0];
  expect(url, `${file} in the docs page`).toBeTruthy();
  return url!;
}
