// Response conformance: every response a test receives from an app wrapped by withConformance() is checked
// against the OpenAPI document that app serves. The status must be declared on the operation (a `default`
// entry does not count), the media type must be one the status declares, a JSON body must match its schema
// (Ajv, JSON Schema 2020-12: the dialect of OpenAPI 3.1), and every header must be declared on that response
// (apart from the transport, security and CORS headers every answer carries, listed in GENERIC_HEADERS and
// documented in docs/api/README.md). A violation rejects the request, so the test that caused it fails.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { servedOpenApiDocument } from '../../src/api/docs/index.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

/** Headers of transport, security and CORS that any response may carry; not declared per operation. */
export const GENERIC_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'vary',
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'cross-origin-embedder-policy',
  'origin-agent-cluster',
  'permissions-policy',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
]);
const isGeneric = (name: string) => GENERIC_HEADERS.has(name) || name.startsWith('access-control-');

type Json = Record<string, unknown>;
interface HeaderSpec {
  required?: boolean;
  schema?: { type?: string };
}
interface ResponseSpec {
  content?: Record<string, { schema?: unknown }>;
  headers?: Record<string, HeaderSpec | { $ref: string }>;
}
interface OperationSpec {
  operationId?: string;
  responses: Record<string, ResponseSpec | { $ref: string }>;
}

interface Route {
  method: string;
  pattern: RegExp;
  params: number;
  pointer: string;
  operation: OperationSpec;
}

const escapePointer = (part: string) => part.replace(/~/g, '~0').replace(/\//g, '~1');

export interface ConformanceChecker {
  /** The violations of one response (empty when it conforms, or when no operation matches the request). */
  check(method: string, url: string, response: Response): Promise<string[]>;
}

export function createConformanceChecker(document: object): ConformanceChecker {
  const doc = document as { paths: Record<string, Record<string, OperationSpec>> } & Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema(doc as never, 'openapi');
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (pointer: string) => {
    let validate = validators.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `openapi#${pointer}` });
      validators.set(pointer, validate);
    }
    return validate;
  };
  const resolve = <T>(value: T | { $ref: string }): T => {
    let current: unknown = value;
    while (current && typeof current === 'object' && '$ref' in current) {
      const ref = (current as { $ref: string }).$ref;
      current = ref
        .replace(/^#\//, '')
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
    }
    return current as T;
  };

  const routes: Route[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
      routes.push({
        method: method.toUpperCase(),
        pattern: new RegExp(`^${source}$`),
        params: (path.match(/\{/g) ?? []).length,
        pointer: `/paths/${escapePointer(path)}/${method}`,
        operation,
      });
    }
  }
  // A static path wins over a templated one that also matches.
  routes.sort((a, b) => a.params - b.params);

  return {
    async check(method, url, response) {
      const path = new URL(url, 'http://origin.invalid').pathname;
      const route = routes.find((candidate) => candidate.method === method && candidate.pattern.test(path));
      if (!route) return [];
      const where = `${method} ${path} (${route.operation.operationId ?? 'no operationId'}) → ${response.status}`;
      const status = String(response.status);
      const declared = route.operation.responses[status];
      if (!declared) {
        return [
          `${where}: status not declared (declared: ${Object.keys(route.operation.responses).join(', ')})`,
        ];
      }
      const spec = resolve(declared);
      const violations: string[] = [];

      const headerSpecs = new Map(
        Object.entries(spec.headers ?? {}).map(([name, header]) => [name.toLowerCase(), resolve(header)]),
      );
      response.headers.forEach((value, name) => {
        if (isGeneric(name)) return;
        const header = headerSpecs.get(name);
        if (!header) violations.push(`${where}: header ${name} not declared`);
        else if (header.schema?.type === 'integer' && !/^-?\d+$/.test(value)) {
          violations.push(`${where}: header ${name} is not an integer: ${value}`);
        }
      });
      for (const [name, header] of headerSpecs) {
        if (header.required && !response.headers.has(name)) {
          violations.push(`${where}: required header ${name} missing`);
        }
      }

      const body = method === 'HEAD' ? '' : await response.text();
      const content = spec.content ?? {};
      const mediaTypes = Object.keys(content);
      if (mediaTypes.length === 0) {
        if (body.length > 0) violations.push(`${where}: a body was sent where none is declared`);
        return violations;
      }
      if (method === 'HEAD') return violations;
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      const mediaType = mediaTypes.find((candidate) => matchesMediaType(candidate, contentType));
      if (!mediaType) {
        violations.push(`${where}: media type "${contentType}" not declared (${mediaTypes.join(', ')})`);
        return violations;
      }
      if (!/[/+]json$/.test(contentType)) return violations;
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        violations.push(`${where}: body is not JSON`);
        return violations;
      }
      const responsePointer = isRef(declared)
        ? declared.$ref.replace(/^#/, '')
        : `${route.pointer}/responses/${status}`;
      const validate = validatorFor(`${responsePointer}/content/${escapePointer(mediaType)}/schema`);
      if (!validate(parsed)) {
        const errors = (validate.errors ?? [])
          .slice(0, 5)
          .map((error) => `${error.instancePath || '/'} ${error.message}`)
          .join('; ');
        violations.push(`${where}: body does not match the schema: ${errors}`);
      }
      return violations;
    },
  };
}

const isRef = (value: unknown): value is { $ref: string } =>
  Boolean(value && typeof value === 'object' && '$ref' in value);

function matchesMediaType(declared: string, actual: string): boolean {
  if (declared === '*/*' || declared === actual) return true;
  const [type, subtype] = declared.split('/');
  return subtype === '*' && actual.startsWith(`${type}/`);
}

const checkers = new WeakMap<object, ConformanceChecker>();

/**
 * Wraps an app's fetch (app.request goes through it too) so that every response is checked against the
 * document the app serves; a violation rejects the request with an error naming each problem.
 */
export function withConformance<
  A extends { fetch: (request: Request, ...rest: never[]) => Response | Promise<Response> },
>(app: A): A {
  const original = app.fetch.bind(app) as (request: Request, ...rest: unknown[]) => Promise<Response>;
  const fetch = async (request: Request, ...rest: unknown[]) => {
    const response = await original(request, ...rest);
    let checker = checkers.get(app);
    if (!checker) {
      checker = createConformanceChecker(servedOpenApiDocument(app));
      checkers.set(app, checker);
    }
    const violations = await checker.check(request.method, request.url, response.clone());
    if (violations.length > 0) {
      throw new Error(`The response does not conform to the OpenAPI document:\n- ${violations.join('\n- ')}`);
    }
    return response;
  };
  (app as { fetch: unknown }).fetch = fetch;
  return app;
}
