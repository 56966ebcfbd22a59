// The typed arguments form: the field tree read from real JSON Schemas (the registry's, generated from zod),
// the exact reading of posted forms back into kwargs (types, empty values, blank and removed rows, nested lists
// and maps, write-only secrets), and a round trip: what the editor renders, posted as a browser would post it,
// reads back to the values it showed.
import { z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import {
  argErrorsFromIssues,
  argsFormFor,
  defaultArgs,
  kwargsFromForm,
  listFieldAt,
  type NamedField,
  postedFields,
  withoutTypedSecrets,
} from '../../src/features/jobs/args-form.ts';
import { createJobRegistry } from '../../src/job-functions/registry.ts';
import { secretString } from '../../src/secrets/schema-secrets.ts';
import { ArgsEditor, ListRowFragment } from '../../views/components/args-form.tsx';
import type { FunctionView } from '../../views/types.ts';

const registry = createJobRegistry();
const schemaOf = (key: string) => registry.jsonSchema(key) as Record<string, unknown>;
const HTTP = 'app.jobs.http:http_request';

/** A posted form from name/value pairs, in order (repeated names are kept, like a browser's). */
const post = (...pairs: [string, string][]) => postedFields(pairs);

function fieldsOf(schema: z.ZodType): NamedField[] {
  return argsFormFor(
    z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
  );
}

describe('argsFormFor', () => {
  it('maps every kind of the http_request schema to its widget', () => {
    const fields = argsFormFor(schemaOf(HTTP));
    const byName = Object.fromEntries(fields.map((field) => [field.name, field]));
    expect(byName.method).toMatchObject({
      kind: 'enum',
      options: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      default: 'GET',
    });
    expect(byName.url).toMatchObject({ kind: 'text', format: 'uri', required: true, secret: false });
    expect(byName.headers).toMatchObject({ kind: 'record', value: { kind: 'text', secret: false } });
    expect(byName.secret_headers).toMatchObject({ kind: 'record', value: { kind: 'text', secret: true } });
    expect(byName.body).toMatchObject({ kind: 'json', required: false });
    expect(byName.timeout_seconds).toMatchObject({
      kind: 'number',
      integer: true,
      minimum: 1,
      maximum: 600,
      default: 30,
    });
    expect(byName.expected_status).toMatchObject({
      kind: 'array',
      minItems: 1,
      default: [200],
      item: { kind: 'number', integer: true, minimum: 100, maximum: 599 },
    });
  });

  it('turns booleans into switches and keeps descriptions as help text', () => {
    const fields = argsFormFor(schemaOf('app.jobs.files:cleanup_files'));
    expect(fields.find((f) => f.name === 'dry_run')).toMatchObject({ kind: 'boolean', default: true });
    const hello = argsFormFor(schemaOf('app.jobs.heartbeat:hello_job'));
    expect(hello.find((f) => f.name === 'sleep_ms')?.description).toMatch(/Keep the run open/);
  });

  it('gives unions of scalar types one JSON field per row', () => {
    const params = argsFormFor(schemaOf('app.jobs.legacy:sql_report')).find((f) => f.name === 'params');
    expect(params).toMatchObject({ kind: 'array', item: { kind: 'json' } });
  });

  it('falls back to a JSON field for property names that cannot be input names', () => {
    const fields = fieldsOf(z.object({ odd: z.object({ 'a.b': z.string() }) }));
    expect(fields[0]).toMatchObject({ name: 'odd', kind: 'json' });
  });

  it('fills a new form with the defaults the schema declares', () => {
    expect(defaultArgs(argsFormFor(schemaOf(HTTP)))).toEqual({
      method: 'GET',
      headers: {},
      secret_headers: {},
      timeout_seconds: 30,
      expected_status: [200],
    });
  });
});

describe('kwargsFromForm: scalars', () => {
  const fields = fieldsOf(
    z.object({
      count: z.number().int().min(0).max(10),
      ratio: z.number().optional(),
      label: z.string().default('x'),
      note: z.string().optional(),
      name: z.string(),
      flag: z.boolean().default(false),
      level: z.enum(['low', 'high']).optional(),
      size: z.union([z.literal(1), z.literal(2)]).optional(),
    }),
  );

  it('reads numbers as numbers, trims them, and leaves empty ones out', () => {
    expect(kwargsFromForm(fields, post(['kw.count', ' 7 '], ['kw.ratio', '1e-3'])).kwargs).toEqual({
      count: 7,
      ratio: 0.001,
    });
    expect(kwargsFromForm(fields, post(['kw.count', '0'])).kwargs).toEqual({ count: 0 });
    expect(kwargsFromForm(fields, post(['kw.count', ''], ['kw.ratio', '  '])).kwargs).toEqual({});
  });

  it('passes text that is not a number on as text, so the schema reports it', () => {
    const { kwargs, errors } = kwargsFromForm(fields, post(['kw.count', 'seven'], ['kw.ratio', 'Infinity']));
    expect(kwargs).toEqual({ count: 'seven', ratio: 'Infinity' });
    expect(errors).toEqual({});
  });

  it('keeps empty text where it is the value, and leaves out optional text without a default', () => {
    expect(kwargsFromForm(fields, post(['kw.label', ''], ['kw.note', ''], ['kw.name', ''])).kwargs).toEqual({
      label: '',
      name: '',
    });
    expect(kwargsFromForm(fields, post(['kw.note', '  spaced  '])).kwargs).toEqual({ note: '  spaced  ' });
  });

  it('reads a switch from its hidden false and its checkbox', () => {
    expect(kwargsFromForm(fields, post(['kw.flag', 'false'])).kwargs).toEqual({ flag: false });
    expect(kwargsFromForm(fields, post(['kw.flag', 'false'], ['kw.flag', 'true'])).kwargs).toEqual({
      flag: true,
    });
    expect(kwargsFromForm(fields, post()).kwargs).toEqual({});
  });

  it('returns the enum member itself, numbers included, and leaves "(not set)" out', () => {
    expect(kwargsFromForm(fields, post(['kw.level', 'high'], ['kw.size', '2'])).kwargs).toEqual({
      level: 'high',
      size: 2,
    });
    expect(kwargsFromForm(fields, post(['kw.level', ''])).kwargs).toEqual({});
    expect(kwargsFromForm(fields, post(['kw.level', 'medium'])).kwargs).toEqual({ level: 'medium' });
  });

  it('ignores names outside the tree and meta fields', () => {
    expect(
      kwargsFromForm(fields, post(['kw.other', '1'], ['name', 'job'], ['kw.count:remove', 'true'])).kwargs,
    ).toEqual({});
  });
});

describe('kwargsFromForm: lists and maps', () => {
  const fields = argsFormFor(schemaOf(HTTP));

  it('reads list rows in index order, drops blank and removed rows, and keeps [] when all are gone', () => {
    const parsed = kwargsFromForm(
      fields,
      post(
        ['kw.expected_status:present', 'true'],
        ['kw.expected_status.10', '204'],
        ['kw.expected_status.2', '200'],
        ['kw.expected_status.3', ''],
        ['kw.expected_status.4', '500'],
        ['kw.expected_status.4:remove', 'true'],
      ),
    );
    expect(parsed.kwargs).toEqual({ expected_status: [200, 204] });
    expect(
      kwargsFromForm(fields, post(['kw.expected_status:present', 'true'], ['kw.expected_status.0', '']))
        .kwargs,
    ).toEqual({ expected_status: [] });
    // Not on the form at all: left out, so the default applies.
    expect(kwargsFromForm(fields, post(['kw.expected_status.0', '200'])).kwargs).toEqual({});
  });

  it('reads map rows into an object, empty value kept as "", blank rows ignored', () => {
    const parsed = kwargsFromForm(
      fields,
      post(
        ['kw.headers:present', 'true'],
        ['kw.headers.0.key', 'Accept'],
        ['kw.headers.0.value', 'application/json'],
        ['kw.headers.1.key', 'X-Empty'],
        ['kw.headers.1.value', ''],
        ['kw.headers.2.key', ''],
        ['kw.headers.2.value', ''],
        ['kw.headers.3.key', 'X-Gone'],
        ['kw.headers.3.value', 'v'],
        ['kw.headers.3:remove', 'true'],
      ),
    );
    expect(parsed.kwargs).toEqual({ headers: { Accept: 'application/json', 'X-Empty': '' } });
    expect(parsed.errors).toEqual({});
  });

  it('reports a map value without a name and a name given twice', () => {
    const parsed = kwargsFromForm(
      fields,
      post(
        ['kw.headers:present', 'true'],
        ['kw.headers.0.key', ''],
        ['kw.headers.0.value', 'orphan'],
        ['kw.headers.1.key', 'A'],
        ['kw.headers.1.value', '1'],
        ['kw.headers.2.key', 'A'],
        ['kw.headers.2.value', '2'],
      ),
    );
    expect(parsed.kwargs).toEqual({ headers: { A: '1' } });
    expect(parsed.errors).toEqual({
      'headers.0': ['give this entry a name'],
      'headers.A': ['"A" is given twice'],
    });
  });

  it('parses JSON rows and fields, and keeps what did not parse to show it again', () => {
    const report = argsFormFor(schemaOf('app.jobs.legacy:sql_report'));
    const parsed = kwargsFromForm(
      report,
      post(
        ['kw.query', 'select 1'],
        ['kw.params:present', 'true'],
        ['kw.params.0', '"text"'],
        ['kw.params.1', '42'],
        ['kw.params.2', 'null'],
        ['kw.params.3', 'false'],
        ['kw.params.4', '{oops'],
        ['kw.params.5', ''],
      ),
    );
    expect(parsed.kwargs).toEqual({ query: 'select 1', params: ['text', 42, null, false] });
    expect(Object.keys(parsed.errors)).toEqual(['params.4']);
    expect(parsed.errors['params.4']![0]).toMatch(/^not valid JSON/);
    expect(parsed.raw).toEqual({ 'params.4': '{oops' });
    const body = kwargsFromForm(fields, post(['kw.body', ' {"a": [1, {"b": null}]} ']));
    expect(body.kwargs).toEqual({ body: { a: [1, { b: null }] } });
    expect(kwargsFromForm(fields, post(['kw.body', '   '])).kwargs).toEqual({});
  });

  it('reads nested lists of objects and maps of lists', () => {
    const nested = fieldsOf(
      z.object({
        steps: z.array(z.object({ name: z.string(), retries: z.number().int().optional(), on: z.boolean() })),
        groups: z.record(z.string(), z.array(z.number())),
      }),
    );
    const parsed = kwargsFromForm(
      nested,
      post(
        ['kw.steps:present', 'true'],
        ['kw.steps.0.name', 'first'],
        ['kw.steps.0.retries', '2'],
        ['kw.steps.0.on', 'false'],
        ['kw.steps.0.on', 'true'],
        ['kw.steps.1.name', ''],
        ['kw.steps.1.retries', ''],
        ['kw.steps.1.on', 'false'],
        ['kw.steps.2.name', 'third'],
        ['kw.steps.2.retries', ''],
        ['kw.steps.2.on', 'false'],
        ['kw.groups:present', 'true'],
        ['kw.groups.0.key', 'odd'],
        ['kw.groups.0.value:present', 'true'],
        ['kw.groups.0.value.0', '1'],
        ['kw.groups.0.value.1', '3'],
        ['kw.groups.1.key', 'none'],
        ['kw.groups.1.value:present', 'true'],
        ['kw.groups.1.value.0', ''],
      ),
    );
    expect(parsed.kwargs).toEqual({
      steps: [
        { name: 'first', retries: 2, on: true },
        { name: 'third', on: false },
      ],
      groups: { odd: [1, 3], none: [] },
    });
  });
});

describe('kwargsFromForm: write-only secrets', () => {
  const fields = argsFormFor(schemaOf(HTTP));
  const token = fieldsOf(z.object({ token: secretString(), other: secretString().optional() }));

  it('sends a typed secret, keeps a stored one when left empty, and clears it only when asked', () => {
    expect(kwargsFromForm(token, post(['kw.token', 's3cret'])).kwargs).toEqual({ token: 's3cret' });
    expect(kwargsFromForm(token, post(['kw.token', ''], ['kw.token:stored', 'true'])).kwargs).toEqual({
      token: { set: true },
    });
    expect(
      kwargsFromForm(token, post(['kw.other', ''], ['kw.other:stored', 'true'], ['kw.other:clear', 'true']))
        .kwargs,
    ).toEqual({ other: { set: false } });
  });

  it('asks for a required secret that is neither typed nor stored', () => {
    const parsed = kwargsFromForm(token, post(['kw.token', ''], ['kw.other', '']));
    expect(parsed.kwargs).toEqual({});
    expect(parsed.errors).toEqual({ token: ['enter a value'] });
  });

  it('keeps stored secret headers, replaces typed ones, forgets removed ones, and ignores the spare row', () => {
    const parsed = kwargsFromForm(
      fields,
      post(
        ['kw.secret_headers:present', 'true'],
        ['kw.secret_headers.0.key', 'Authorization'],
        ['kw.secret_headers.0.value:stored', 'true'],
        ['kw.secret_headers.0.value', ''],
        ['kw.secret_headers.1.key', 'X-Api-Key'],
        ['kw.secret_headers.1.value:stored', 'true'],
        ['kw.secret_headers.1.value', 'new-key'],
        ['kw.secret_headers.2.key', 'X-Old'],
        ['kw.secret_headers.2.value:stored', 'true'],
        ['kw.secret_headers.2.value', ''],
        ['kw.secret_headers.2:remove', 'true'],
        ['kw.secret_headers.3.key', ''],
        ['kw.secret_headers.3.value', ''],
      ),
    );
    expect(parsed.errors).toEqual({});
    expect(parsed.kwargs).toEqual({
      secret_headers: { Authorization: { set: true }, 'X-Api-Key': 'new-key', 'X-Old': { set: false } },
    });
  });

  it('asks for the value of a new secret header', () => {
    const parsed = kwargsFromForm(
      fields,
      post(
        ['kw.secret_headers:present', 'true'],
        ['kw.secret_headers.0.key', 'X-New'],
        ['kw.secret_headers.0.value', ''],
      ),
    );
    expect(parsed.errors).toEqual({ 'secret_headers.X-New': ['enter a value'] });
  });
});

describe('argErrorsFromIssues', () => {
  it('keys the service issues for kwargs by value path and skips the rest', () => {
    expect(
      argErrorsFromIssues([
        { path: 'kwargs.url', message: 'Invalid URL' },
        { path: 'kwargs.expected_status.1', message: 'Too big' },
        { path: 'kwargs', message: 'Unrecognized key: "x"' },
        { path: 'cron', message: 'bad cron' },
        { message: 'no path' },
      ]),
    ).toEqual({ url: ['Invalid URL'], 'expected_status.1': ['Too big'], '': ['Unrecognized key: "x"'] });
  });
});

// --- Round trip: the editor's HTML, posted the way a browser posts a form, reads back to the values shown. ---

const decode = (text: string) =>
  text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of tag.matchAll(/\s([a-zA-Z][\w:-]*)(?:="([^"]*)")?/g))
    out[match[1]!] = decode(match[2] ?? '');
  return out;
}

/** The successful controls of the form view (or of a fragment) as a browser submits them, in document order. */
function serialize(html: string): [string, string][] {
  const formView = html.includes('class="args-form-view"')
    ? html.slice(html.indexOf('class="args-form-view"'), html.indexOf('class="args-json-view'))
    : html;
  const pairs: [string, string][] = [];
  const control =
    /<input\b[^>]*>|<textarea\b[^>]*>([\s\S]*?)<\/textarea>|<select\b[^>]*>([\s\S]*?)<\/select>/g;
  for (const match of formView.matchAll(control)) {
    const tag = match[0].slice(0, match[0].indexOf('>') + 1);
    const attrs = attributes(tag);
    if (!attrs.name) continue;
    if (tag.startsWith('<textarea')) pairs.push([attrs.name, decode(match[1]!).replace(/^\n/, '')]);
    else if (tag.startsWith('<select')) {
      const options = [...match[2]!.matchAll(/<option\b[^>]*>/g)].map((o) => attributes(o[0]));
      const chosen = options.find((o) => 'selected' in o) ?? options[0];
      pairs.push([attrs.name, chosen?.value ?? '']);
    } else if (attrs.type === 'checkbox' || attrs.type === 'radio') {
      if ('checked' in attrs) pairs.push([attrs.name, attrs.value ?? 'on']);
    } else if (attrs.type !== 'submit') pairs.push([attrs.name, attrs.value ?? '']);
  }
  return pairs;
}

function render(fn: FunctionView, values: Record<string, unknown>): string {
  const element = ArgsEditor({
    fn,
    fields: argsFormFor(fn.args_schema),
    mode: 'form',
    values,
    errors: {},
    raw: {},
    spare: {},
    json: JSON.stringify(withoutTypedSecrets(argsFormFor(fn.args_schema), values)),
    jsonErrors: [],
  });
  return String(element);
}

const view = (key: string): FunctionView => ({ key, description: 'd', args_schema: schemaOf(key) });

describe('round trip through the rendered editor', () => {
  const cases: [string, Record<string, unknown>][] = [
    [
      HTTP,
      {
        method: 'POST',
        url: 'https://example.com/hook?a=1&b="2"',
        headers: { Accept: 'application/json', 'X-Empty': '' },
        secret_headers: { Authorization: { set: true } },
        body: { nested: [1, 'two', { three: null }] },
        timeout_seconds: 45,
        expected_status: [200, 201, 204],
      },
    ],
    [
      HTTP,
      {
        method: 'GET',
        url: 'http://a.example',
        headers: {},
        secret_headers: {},
        timeout_seconds: 30,
        expected_status: [],
      },
    ],
    ['app.jobs.legacy:sql_report', { query: "select '<b>' as x", params: ['a', 1, true, null], max_rows: 1 }],
    [
      'app.jobs.files:cleanup_files',
      { older_than_days: 1, dry_run: false, only_soft_deleted: true, max_files: 5 },
    ],
    ['app.jobs.heartbeat:hello_job', { message: '', sleep_ms: 0 }],
    ['app.jobs.maintenance:prune_runs', { keep_per_job: 0, dry_run: true }],
  ];
  for (const [key, values] of cases) {
    it(`${key} ${JSON.stringify(values).slice(0, 60)}`, () => {
      const fn = view(key);
      const posted = postedFields(serialize(render(fn, values)));
      const parsed = kwargsFromForm(argsFormFor(fn.args_schema), posted);
      expect(parsed.errors).toEqual({});
      expect(parsed.kwargs).toEqual(values);
    });
  }

  it('never writes a secret value into the page', () => {
    const html = render(view(HTTP), {
      url: 'https://a.example',
      secret_headers: { Authorization: 'Bearer topsecret' },
    });
    expect(html).not.toContain('topsecret');
    expect(html).toMatch(/type="password"/);
    // A stored one shows as stored, in the form and in the JSON view.
    const stored = render(view(HTTP), {
      url: 'https://a.example',
      secret_headers: { Authorization: { set: true } },
    });
    expect(stored).toContain('placeholder="stored; leave empty to keep"');
    expect(stored).toContain('{&quot;set&quot;:true}');
  });

  it('marks the field a message belongs to and links the message to it', () => {
    const fn = view(HTTP);
    const element = ArgsEditor({
      fn,
      fields: argsFormFor(fn.args_schema),
      mode: 'form',
      values: { url: 'nope', headers: { 'X-A': '1' }, expected_status: [200, 999] },
      errors: {
        url: ['Invalid URL'],
        'expected_status.1': ['Too big: expected number to be <=599'],
        'headers.X-A': ['bad'],
      },
      raw: {},
      spare: {},
      json: '{}',
      jsonErrors: [],
    });
    const html = String(element);
    expect(html).toMatch(
      /<input[^>]*id="arg-url"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*arg-url-error/,
    );
    expect(html).toMatch(/id="arg-expected_status-1"[^>]*aria-invalid="true"/);
    expect(html).toMatch(/id="arg-headers-0-value"[^>]*aria-invalid="true"/);
    expect(html).toContain('id="arg-url-error"');
  });
});

describe('rows added in place (htmx "Add row")', () => {
  const schema = z.object({
    steps: z.array(z.object({ name: z.string(), retries: z.number().int().optional() })),
    groups: z.record(z.string(), z.array(z.number())),
    label: z.string().optional(),
  });
  const nested = fieldsOf(schema);
  const nestedView: FunctionView = {
    key: 'test.nested',
    description: 'd',
    args_schema: z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>,
  };

  it('finds the list a list input name points at, and nothing else', () => {
    expect(listFieldAt(nested, 'kw.steps')).toMatchObject({ field: { kind: 'array' }, path: ['steps'] });
    expect(listFieldAt(nested, 'kw.groups')).toMatchObject({ field: { kind: 'record' }, path: ['groups'] });
    expect(listFieldAt(nested, 'kw.groups.4.value')).toMatchObject({
      field: { kind: 'array', item: { kind: 'number' } },
      path: ['groups', 4, 'value'],
    });
    for (const name of [
      'kw',
      'kw.label',
      'kw.nope',
      'kw.steps.2',
      'kw.steps.0.name',
      'kw.groups.0',
      'kw.groups.0.key',
      'kw.groups.x.value',
      'x.steps',
      'kw.steps:present',
      'kw..steps',
    ]) {
      expect(listFieldAt(nested, name), name).toBeUndefined();
    }
  });

  it("numbers each list's button after the rows it shows, and keeps it a submit button for the no-JS post", () => {
    const html = render(view(HTTP), { method: 'GET', url: 'https://a.example', expected_status: [200, 204] });
    const buttons = [...html.matchAll(/<button\b[^>]*name="_form_action"[^>]*>/g)].map((m) =>
      attributes(m[0]),
    );
    expect(buttons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'submit',
          value: 'add:kw.expected_status',
          'hx-get': `/admin/function-args/row?func=${encodeURIComponent(HTTP)}&list=kw.expected_status&index=3`,
          'hx-target': 'this',
          'hx-swap': 'outerHTML',
        }),
        expect.objectContaining({
          value: 'add:kw.headers',
          'hx-get': `/admin/function-args/row?func=${encodeURIComponent(HTTP)}&list=kw.headers&index=1`,
        }),
      ]),
    );
  });

  it('renders one empty row with the focus on its first input and the button for the next, read back like any row', () => {
    const fragment = (name: string, index: number) => {
      const list = listFieldAt(nested, name)!;
      return String(ListRowFragment({ func: nestedView.key, field: list.field, path: list.path, index }));
    };
    const steps = fragment('kw.steps', 2);
    expect([...steps.matchAll(/autofocus/g)]).toHaveLength(1);
    expect(steps).toMatch(/<input[^>]*name="kw.steps.2.name"[^>]*autofocus=""/);
    expect(steps).not.toContain(':remove');
    expect(steps).toMatch(/hx-get="[^"]*list=kw.steps&amp;index=3"/);
    const group = fragment('kw.groups', 1);
    expect(group).toMatch(/<input[^>]*name="kw.groups.1.key"[^>]*autofocus=""/);
    expect(group).toContain('name="kw.groups.1.value:present"');
    expect(group).toMatch(/list=kw.groups.1.value&amp;index=1"/);

    // The editor as shown, plus the rows added in place and typed into: read back into kwargs.
    const shown = serialize(render(nestedView, { steps: [{ name: 'first' }], groups: {} }));
    const typed: Record<string, string> = {
      'kw.steps.2.name': 'added',
      'kw.steps.2.retries': '3',
      'kw.groups.1.key': 'odd',
    };
    const added = [
      ...serialize(steps),
      ...serialize(group),
      ...serialize(fragment('kw.groups.1.value', 0)),
    ].map(([name, value]): [string, string] => [
      name,
      typed[name] ?? (name === 'kw.groups.1.value.0' ? '7' : value),
    ]);
    const parsed = kwargsFromForm(argsFormFor(nestedView.args_schema), postedFields([...shown, ...added]));
    expect(parsed.errors).toEqual({});
    expect(parsed.kwargs).toEqual({
      steps: [{ name: 'first' }, { name: 'added', retries: 3 }],
      groups: { odd: [7] },
    });
  });
});
