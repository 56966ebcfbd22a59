// The fuzz corpus: hostile strings and a seeded generator (fast-check) of malformed requests for every route.
// Shared by the fuzz test and the injection tests, so both throw the same strings at the code.
import fc from 'fast-check';

/** SQL injection attempts: each must reach the database only as a bound parameter, or not at all. */
export const SQL_INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE scheduled_jobs; --",
  '1; DELETE FROM users; --',
  '" OR 1=1 --',
  "') UNION SELECT password_hash, null FROM users --",
  "%' OR name LIKE '%",
  "x' AND pg_sleep(5) IS NULL --",
  "'; COPY users TO '/tmp/x'; --",
  '$$; DROP TABLE audit_log; $$',
  "\\'; TRUNCATE job_runs; --",
];

/** HTML and template injection: must come back escaped in any HTML. */
export const HTML_INJECTIONS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '<a href="javascript:alert(1)">x</a>',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally.
  '${7*7}',
  '</textarea><script>alert(1)</script>',
];

export const PATH_TRAVERSALS = [
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '..\\..\\..\\windows\\win.ini',
  '/etc/passwd%00.txt',
  '%2e%2e%2f%2e%2e%2fobjects',
  '....//....//etc/passwd',
];

const ODD_VALUES = [
  '',
  ' ',
  '\u0000',
  '%00',
  '%',
  '%zz',
  '%ff%fe',
  '\ud800',
  '\uffff',
  '𝕏𝕏𝕏',
  '-1',
  '0',
  '1e309',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '00000000-0000-0000-0000-000000000000',
  '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  '$(reboot)',
  '`id`',
  'a'.repeat(300),
  'x'.repeat(20_000),
];

export const HOSTILE_STRINGS = [...SQL_INJECTIONS, ...HTML_INJECTIONS, ...PATH_TRAVERSALS, ...ODD_VALUES];

const FIELD_NAMES = [
  'name',
  'func',
  'cron',
  'kwargs',
  'args',
  'enabled',
  'timezone',
  'description',
  'version',
  'overlap_policy',
  'misfire_policy',
  'misfire_grace_seconds',
  'timeout_seconds',
  'max_retries',
  'username',
  'password',
  'role',
  'disabled',
  'expires_at',
  'file',
  'q',
  'status',
  'sort',
  'page',
  'page_size',
  'archived',
  'job_id',
  'expr',
  'tz',
  'count',
  '__proto__',
  'constructor',
];

export interface RouteRef {
  method: string;
  /** Hono's template, e.g. /api/v1/jobs/:id. */
  path: string;
}

export type BodyKind =
  | 'none'
  | 'json'
  | 'truncated-json'
  | 'wrong-types'
  | 'huge-json'
  | 'huge-raw'
  | 'invalid-utf8'
  | 'form'
  | 'multipart';

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array | FormData | undefined;
  bodyKind: BodyKind;
  route: RouteRef;
}

export type AuthKind = 'none' | 'admin' | 'viewer' | 'garbage';

const hostile = fc.constantFrom(...HOSTILE_STRINGS);
const anyString = fc.oneof(
  hostile,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const wrongTyped: fc.Arbitrary<unknown> = fc.oneof(
  anyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(anyString, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom(...FIELD_NAMES), anyString, { maxKeys: 3 }),
);

/** Only Latin-1 without CR, LF or NUL can be a header value at all; the rest is replaced. */
const headerSafe = (value: string) => value.replace(/[^\x20-\x7e\x80-\xff\t]/g, '?').slice(0, 8_000);

/** Percent-encodes; a lone surrogate (no UTF-8 form) becomes the invalid bytes %ED%A0%80 instead. */
function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value
      .split('')
      .map((char) => {
        try {
          return encodeURIComponent(char);
        } catch {
          return '%ED%A0%80';
        }
      })
      .join('');
  }
}

function encodeSegment(value: string, raw: boolean): string {
  if (!raw) return encode(value);
  // Raw: keep traversal and percent sequences as typed, but never a '?' or '#' that would end the path.
  return value.replace(/[?#\s]/g, (char) => encodeURIComponent(char));
}

export function fuzzRequests(options: {
  routes: RouteRef[];
  count: number;
  seed: number;
  tokens: Record<Exclude<AuthKind, 'none' | 'garbage'>, string>;
}): FuzzRequest[] {
  const { routes, tokens } = options;
  const authHeader = fc.oneof(
    { weight: 2, arbitrary: fc.constant<string | undefined>(undefined) },
    { weight: 5, arbitrary: fc.constant(`Bearer ${tokens.admin}`) },
    { weight: 2, arbitrary: fc.constant(`Bearer ${tokens.viewer}`) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'Bearer garbage',
        'Bearer ',
        'Bearer',
        'Basic YWRtaW46YWRtaW4xMjM=',
        'bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJhZG1pbiJ9.',
        `Bearer ${tokens.admin}x`,
        `Bearer ${tokens.admin.slice(0, -4)}`,
        `Bearer ast_${'0'.repeat(40)}`,
        `Bearer ${'a'.repeat(10_000)}`,
        "Bearer ' OR '1'='1",
        'Token abc',
      ),
    },
  );
  const contentType = fc.constantFrom<string | undefined>(
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'multipart/form-data; boundary=nothing-matches',
    'garbage/???',
    '',
    'application/json, text/html',
  );
  const odd = fc.option(fc.constantFrom(...HOSTILE_STRINGS, '-1', '999999999999', 'abc', '0'), {
    nil: undefined,
    freq: 5,
  });
  const body = fc.oneof(
    { weight: 2, arbitrary: fc.constant({ kind: 'none' as const, value: undefined }) },
    { weight: 3, arbitrary: fc.json({ maxDepth: 3 }).map((value) => ({ kind: 'json' as const, value })) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.json({ maxDepth: 3 }), fc.nat())
        .filter(([text]) => text.length > 1)
        .map(([text, cut]) => ({
          kind: 'truncated-json' as const,
          value: text.slice(0, 1 + (cut % (text.length - 1))),
        })),
    },
    {
      weight: 6,
      arbitrary: fc
        .dictionary(fc.constantFrom(...FIELD_NAMES), wrongTyped, { maxKeys: 6 })
        .map((value) => ({ kind: 'wrong-types' as const, value: JSON.stringify(value) })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(50_000, 300_000).map((size) => ({
        kind: 'huge-json' as const,
        value: JSON.stringify({ name: 'n'.repeat(size), cron: '* * * * *' }),
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({ kind: 'huge-raw' as const, value: 'z'.repeat(1_200_000) }),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          Uint8Array.from([
            0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d,
          ]),
          Uint8Array.from([0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80]),
          Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
          Uint8Array.from([0x00, 0x00, 0x00, 0x7b]),
        )
        .map((value) => ({ kind: 'invalid-utf8' as const, value })),
    },
    {
      weight: 2,
      arbitrary: fc.dictionary(fc.constantFrom(...FIELD_NAMES), anyString, { maxKeys: 4 }).map((value) => ({
        kind: 'form' as const,
        value: new URLSearchParams(value as Record<string, string>).toString(),
      })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(anyString, anyString).map(([name, content]) => {
        const form = new FormData();
        form.append('file', new Blob([content], { type: 'application/x-msdownload' }), name || 'x');
        form.append(name.slice(0, 20) || 'field', content);
        return { kind: 'multipart' as const, value: form };
      }),
    },
  );
  const request = fc.record({
    route: fc.constantFrom(...routes),
    methodSwap: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'), {
      nil: undefined,
      freq: 6,
    }),
    params: fc.array(fc.tuple(fc.oneof(hostile, anyString), fc.boolean()), { minLength: 3, maxLength: 3 }),
    query: fc.array(fc.tuple(fc.constantFrom(...FIELD_NAMES), fc.oneof(hostile, anyString)), {
      maxLength: 3,
    }),
    auth: authHeader,
    contentType,
    contentLength: odd,
    requestId: odd,
    ifMatch: odd,
    idempotencyKey: odd,
    range: fc.option(fc.constantFrom('bytes=0-', 'bytes=-5', 'bytes=99999999-', 'bytes=abc', 'items=0-1'), {
      nil: undefined,
      freq: 8,
    }),
    body,
  });

  return fc.sample(request, { seed: options.seed, numRuns: options.count }).map((spec) => {
    let index = 0;
    const path = spec.route.path.replace(/:[A-Za-z_]+/g, () => {
      const [value, raw] = spec.params[index++ % spec.params.length]!;
      return encodeSegment(value, raw) || 'x';
    });
    const query = spec.query.map(([key, value]) => `${encode(key)}=${encode(value)}`).join('&');
    const method = spec.methodSwap ?? spec.route.method;
    const headers: Record<string, string> = {};
    if (spec.auth !== undefined) headers.Authorization = headerSafe(spec.auth);
    if (spec.contentType !== undefined) headers['Content-Type'] = spec.contentType;
    if (spec.contentLength !== undefined) headers['Content-Length'] = headerSafe(spec.contentLength);
    if (spec.requestId !== undefined) headers['X-Request-Id'] = headerSafe(spec.requestId);
    if (spec.ifMatch !== undefined) headers['If-Match'] = headerSafe(spec.ifMatch);
    if (spec.idempotencyKey !== undefined) headers['Idempotency-Key'] = headerSafe(spec.idempotencyKey);
    if (spec.range !== undefined) headers.Range = spec.range;
    const withBody = method !== 'GET' && method !== 'HEAD';
    return {
      method,
      url: `http://127.0.0.1${path}${query ? `?${query}` : ''}`,
      headers,
      body: withBody ? spec.body.value : undefined,
      bodyKind: withBody ? spec.body.kind : 'none',
      route: spec.route,
    };
  });
}
