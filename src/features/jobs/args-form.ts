// The typed arguments form: a job function's JSON Schema (generated from its zod schema) becomes a tree of
// form fields, the tree names the inputs the view renders, and the same tree reads a posted form back into
// kwargs. Pure: no request, no database. The zod schema stays the judge: what the form cannot decide (a number
// out of bounds, a missing required value) is passed on as typed in, and the service's 422 comes back per field.
//
// Input names: `kw.` + the path of the value, segments joined by '.' (`kw.headers.0.key`,
// `kw.expected_status.1`). Names with ':' carry meta data, never values: `<array>:present` (the list was on the
// form, so no rows means []), `<row>:remove`, `<secret>:clear`, `<secret>:stored`.

export type Scalar = string | number | boolean | null;

interface FieldBase {
  description?: string | undefined;
  default?: unknown;
  required: boolean;
}

export type ArgField =
  | (FieldBase & {
      kind: 'text';
      secret: boolean;
      format?: string | undefined;
      minLength?: number | undefined;
      maxLength?: number | undefined;
    })
  | (FieldBase & {
      kind: 'number';
      integer: boolean;
      minimum?: number | undefined;
      maximum?: number | undefined;
    })
  | (FieldBase & { kind: 'boolean' })
  | (FieldBase & { kind: 'enum'; options: Scalar[] })
  /** Anything the form has no widget for (unions, free JSON): one JSON text field. */
  | (FieldBase & { kind: 'json' })
  | (FieldBase & { kind: 'object'; fields: NamedField[] })
  /** A map of free keys (`z.record`): repeatable key/value rows. */
  | (FieldBase & { kind: 'record'; value: ArgField })
  | (FieldBase & {
      kind: 'array';
      item: ArgField;
      minItems?: number | undefined;
      maxItems?: number | undefined;
    });

export type NamedField = ArgField & { name: string };

/** Field names that make safe input-name segments; anything else sends its parent to a JSON field. */
const SAFE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const PREFIX = 'kw';

type JsonSchema = Record<string, unknown>;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isScalar = (value: unknown): value is Scalar =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);
const numberOr = (value: unknown) => (typeof value === 'number' ? value : undefined);

/** The form tree of a function's kwargs schema (an object schema; anything else is one JSON field). */
export function argsFormFor(schema: JsonSchema): NamedField[] {
  const root = describeField(schema, true);
  return root.kind === 'object' ? root.fields : [{ ...root, name: 'value' }];
}

function describeField(schema: JsonSchema, required: boolean): ArgField {
  const base: FieldBase = {
    required,
    description: typeof schema.description === 'string' ? schema.description : undefined,
    default: schema.default,
  };
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every(isScalar)) {
    return { ...base, kind: 'enum', options: schema.enum };
  }
  switch (schema.type) {
    case 'string':
      return {
        ...base,
        kind: 'text',
        secret: schema.secret === true || schema.writeOnly === true,
        format: typeof schema.format === 'string' ? schema.format : undefined,
        minLength: numberOr(schema.minLength),
        maxLength: numberOr(schema.maxLength),
      };
    case 'integer':
    case 'number':
      return {
        ...base,
        kind: 'number',
        integer: schema.type === 'integer',
        minimum: numberOr(schema.minimum),
        maximum: numberOr(schema.maximum),
      };
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'object': {
      const properties = isRecord(schema.properties) ? schema.properties : undefined;
      if (properties && Object.keys(properties).every((name) => SAFE_NAME.test(name))) {
        const requiredNames = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
        return {
          ...base,
          kind: 'object',
          fields: Object.entries(properties).map(([name, child]) => ({
            ...describeField(isRecord(child) ? child : {}, requiredNames.has(name)),
            name,
          })),
        };
      }
      if (!properties && isRecord(schema.additionalProperties)) {
        return { ...base, kind: 'record', value: describeField(schema.additionalProperties, true) };
      }
      return { ...base, kind: 'json' };
    }
    case 'array':
      if (isRecord(schema.items)) {
        return {
          ...base,
          kind: 'array',
          item: describeField(schema.items, true),
          minItems: numberOr(schema.minItems),
          maxItems: numberOr(schema.maxItems),
        };
      }
      return { ...base, kind: 'json' };
    default:
      return { ...base, kind: 'json' };
  }
}

/** The input name of a value path (`['headers', 0, 'key']` → `kw.headers.0.key`). */
export function inputName(path: readonly (string | number)[]): string {
  return [PREFIX, ...path].join('.');
}

/** A stable element id for an input name (ids may not contain '.' for CSS selectors to stay simple). */
export function inputId(name: string): string {
  return `arg-${name
    .slice(PREFIX.length + 1)
    .replaceAll('.', '-')
    .replaceAll(':', '--')}`;
}

/** The form's fields by name, every value in posting order (a checkbox after its hidden "false"). */
export type PostedFields = Map<string, string[]>;

export function postedFields(entries: Iterable<[string, unknown]>): PostedFields {
  const fields: PostedFields = new Map();
  for (const [name, value] of entries) {
    if (typeof value !== 'string') continue;
    const list = fields.get(name);
    if (list) list.push(value);
    else fields.set(name, [value]);
  }
  return fields;
}

export interface ParsedArgs {
  /** The kwargs for the service; numbers that are not numbers stay text, so the schema names the problem. */
  kwargs: Record<string, unknown>;
  /** Problems the form itself finds (JSON that does not parse, a row without its key), by value path. */
  errors: Record<string, string[]>;
  /** What was typed into JSON fields that did not parse, by value path, so the form shows it again. */
  raw: Record<string, string>;
}

/** Reads the posted form back into kwargs, exactly: types from the schema, blank rows dropped, [] kept. */
export function kwargsFromForm(fields: readonly NamedField[], posted: PostedFields): ParsedArgs {
  const out: ParsedArgs = { kwargs: {}, errors: {}, raw: {} };
  const reader = new FormReader(posted, out);
  for (const field of fields) {
    const value = reader.read(field, [field.name]);
    if (value !== undefined) out.kwargs[field.name] = value;
  }
  return out;
}

/** A value path as the service's issues write it (`kwargs.headers.X`), minus the `kwargs.` prefix. */
export const pathKey = (path: readonly (string | number)[]) => path.join('.');

class FormReader {
  constructor(
    private readonly posted: PostedFields,
    private readonly out: ParsedArgs,
  ) {}

  private last(name: string): string | undefined {
    const values = this.posted.get(name);
    return values?.[values.length - 1];
  }

  private has(name: string): boolean {
    return this.posted.has(name);
  }

  private fail(path: (string | number)[], message: string) {
    addMessages(this.out.errors, pathKey(path), [message]);
  }

  /** Row indexes posted under an input name (`kw.headers.3.key` → 3), ascending. */
  private rowIndexes(prefix: string): number[] {
    const indexes = new Set<number>();
    const start = `${prefix}.`;
    for (const name of this.posted.keys()) {
      if (!name.startsWith(start)) continue;
      const head = name.slice(start.length).split(/[.:]/, 1)[0]!;
      if (/^\d{1,4}$/.test(head)) indexes.add(Number(head));
    }
    return [...indexes].sort((a, b) => a - b);
  }

  /** The value at a path, or undefined when the form leaves it out (so the schema's default applies). */
  read(field: ArgField, path: (string | number)[]): unknown {
    const name = inputName(path);
    switch (field.kind) {
      case 'text': {
        const raw = this.last(name);
        if (raw === undefined) return undefined;
        if (field.secret) {
          // Write-only: empty keeps what is stored (the service merges), "clear" removes it.
          if (this.last(`${name}:clear`) === 'true') return { set: false };
          if (raw === '') {
            if (this.has(`${name}:stored`)) return { set: true };
            if (field.required) this.fail(path, 'enter a value');
            return undefined;
          }
          return raw;
        }
        // An empty optional field without a default is left out; otherwise empty text is the value.
        if (raw === '' && !field.required && field.default === undefined) return undefined;
        return raw;
      }
      case 'number': {
        const raw = this.last(name);
        if (raw === undefined || raw.trim() === '') return undefined;
        const number = Number(raw.trim());
        return Number.isFinite(number) ? number : raw;
      }
      case 'boolean': {
        const raw = this.last(name);
        return raw === undefined ? undefined : raw === 'true';
      }
      case 'enum': {
        const raw = this.last(name);
        if (raw === undefined || raw === '') return undefined;
        const option = field.options.find((candidate) => String(candidate) === raw);
        return option === undefined ? raw : option;
      }
      case 'json': {
        const raw = this.last(name);
        if (raw === undefined || raw.trim() === '') return undefined;
        try {
          return JSON.parse(raw);
        } catch (error) {
          this.fail(path, `not valid JSON: ${(error as Error).message}`);
          this.out.raw[pathKey(path)] = raw;
          return undefined;
        }
      }
      case 'object': {
        const value: Record<string, unknown> = {};
        let seen = false;
        for (const child of field.fields) {
          const childValue = this.read(child, [...path, child.name]);
          if (childValue !== undefined) {
            value[child.name] = childValue;
            seen = true;
          }
        }
        return seen || field.required ? value : undefined;
      }
      case 'record': {
        if (!this.has(`${name}:present`)) return undefined;
        const value: Record<string, unknown> = {};
        for (const index of this.rowIndexes(name)) {
          const row = [...path, index];
          const key = this.last(`${inputName(row)}.key`) ?? '';
          const removed = this.last(`${inputName(row)}:remove`) === 'true';
          const valuePath = [...path, key];
          if (removed) {
            // A stored secret is only forgotten when asked to; a plain entry just is not sent.
            if (key && isSecretText(field.value)) value[key] = { set: false };
            continue;
          }
          const blankValue = this.isBlank(field.value, [...row, 'value']);
          if (key === '') {
            if (!blankValue) this.fail(row, 'give this entry a name');
            continue;
          }
          const rowValue = this.readRowValue(field.value, row, valuePath);
          if (Object.hasOwn(value, key)) {
            this.fail(valuePath, `"${key}" is given twice`);
            continue;
          }
          if (rowValue !== undefined) value[key] = rowValue;
          else if (!isSecretText(field.value)) value[key] = '';
        }
        return value;
      }
      case 'array': {
        if (!this.has(`${name}:present`)) return undefined;
        const items: unknown[] = [];
        for (const index of this.rowIndexes(name)) {
          const row = [...path, index];
          if (this.last(`${inputName(row)}:remove`) === 'true') continue;
          if (this.isBlank(field.item, row)) continue; // a blank row is no row
          const item = this.readRowValue(field.item, row, [...path, items.length]);
          if (item === undefined) continue; // a blank row is no row
          if (field.item.kind === 'text' && item === '') continue;
          items.push(item);
        }
        return items;
      }
    }
  }

  /** Whether nothing was typed at a path (a spare row); a lone switch is never blank, beside text it is. */
  private isBlank(field: ArgField, path: (string | number)[]): boolean {
    const name = inputName(path);
    switch (field.kind) {
      case 'boolean':
        return !this.has(name);
      case 'object': {
        const typed = field.fields.filter((child) => child.kind !== 'boolean');
        const children = typed.length > 0 ? typed : field.fields;
        return children.every((child) => this.isBlank(child, [...path, child.name]));
      }
      case 'record':
      case 'array':
        return this.rowIndexes(name).every((index) =>
          field.kind === 'array'
            ? this.isBlank(field.item, [...path, index])
            : (this.last(`${inputName([...path, index])}.key`) ?? '') === '' &&
              this.isBlank(field.value, [...path, index, 'value']),
        );
      default:
        return (this.last(name) ?? '').trim() === '' && !this.has(`${name}:stored`);
    }
  }

  /**
   * One row's value: read at the row's input names, with errors filed under the path the service will use
   * for it (a record row's key; an array item's index once blank rows are gone).
   */
  private readRowValue(
    field: ArgField,
    inputPath: (string | number)[],
    valuePath: (string | number)[],
  ): unknown {
    const scratch: ParsedArgs = { kwargs: {}, errors: {}, raw: {} };
    const reader = new FormReader(this.posted, scratch);
    const isRecordRow = typeof valuePath[valuePath.length - 1] === 'string';
    const value = reader.read(field, isRecordRow ? [...inputPath, 'value'] : inputPath);
    const from = pathKey(isRecordRow ? [...inputPath, 'value'] : inputPath);
    const to = pathKey(valuePath);
    const moved = (key: string) =>
      key === from ? to : key.startsWith(`${from}.`) ? to + key.slice(from.length) : key;
    for (const [key, messages] of Object.entries(scratch.errors))
      addMessages(this.out.errors, moved(key), messages);
    for (const [key, text] of Object.entries(scratch.raw)) this.out.raw[moved(key)] = text;
    return value;
  }
}

function addMessages(into: Record<string, string[]>, key: string, messages: readonly string[]) {
  into[key] = [...(into[key] ?? []), ...messages];
}

const isSecretText = (field: ArgField) => field.kind === 'text' && field.secret;

/**
 * The values with every typed (not yet stored) secret left out, for text that goes back into the page (the
 * JSON view after a refused save): a write-only value is never shown, not even to the person who typed it.
 */
export function withoutTypedSecrets(
  fields: readonly NamedField[],
  values: Record<string, unknown>,
): Record<string, unknown> {
  const strip = (field: ArgField, value: unknown): unknown => {
    if (field.kind === 'text' && field.secret) return typeof value === 'string' ? undefined : value;
    if (field.kind === 'object' && isRecord(value)) return withoutTypedSecrets(field.fields, value);
    if (field.kind === 'record' && isRecord(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const kept = strip(field.value, item);
        if (kept !== undefined) out[key] = kept;
      }
      return out;
    }
    if (field.kind === 'array' && Array.isArray(value)) return value.map((item) => strip(field.item, item));
    return value;
  };
  const out: Record<string, unknown> = { ...values };
  for (const field of fields) {
    if (!(field.name in out)) continue;
    const kept = strip(field, out[field.name]);
    if (kept === undefined) delete out[field.name];
    else out[field.name] = kept;
  }
  return out;
}

/** Starting values for a new job: every default the schema declares (what the API would fill in). */
export function defaultArgs(fields: readonly NamedField[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.default !== undefined) values[field.name] = structuredClone(field.default);
    else if (field.kind === 'object') values[field.name] = defaultArgs(field.fields);
  }
  return values;
}

/**
 * The service's 422 issues for kwargs, by value path (`kwargs.headers.X-Key` → `headers.X-Key`); issues for
 * the whole kwargs object land under ''.
 */
export function argErrorsFromIssues(
  issues: readonly { path?: string | undefined; message: string }[],
): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of issues) {
    const path = issue.path ?? '';
    if (path !== 'kwargs' && !path.startsWith('kwargs.')) continue;
    const key = path === 'kwargs' ? '' : path.slice('kwargs.'.length);
    addMessages(errors, key, [issue.message]);
  }
  return errors;
}

/** A form action button's value: add a spare row to a list (`add:kw.headers`). */
export function addRowTarget(action: string | undefined): string | undefined {
  if (!action?.startsWith('add:')) return undefined;
  const name = action.slice(4);
  return /^kw(\.[A-Za-z0-9_-]+)+$/.test(name) ? name : undefined;
}

/** The list field (array or map) a list input name points at, and its value path; undefined when none. */
export function listFieldAt(
  fields: readonly NamedField[],
  name: string,
): { field: Extract<ArgField, { kind: 'record' | 'array' }>; path: (string | number)[] } | undefined {
  if (addRowTarget(`add:${name}`) !== name) return undefined;
  const path = name
    .split('.')
    .slice(1)
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
  let field: ArgField | undefined = { kind: 'object', fields: [...fields], required: true };
  for (let i = 0; i < path.length && field; i++) {
    const segment = path[i];
    if (field.kind === 'object' && typeof segment === 'string') {
      field = field.fields.find((child) => child.name === segment);
    } else if (field.kind === 'array' && typeof segment === 'number') {
      field = field.item;
    } else if (field.kind === 'record' && typeof segment === 'number' && path[i + 1] === 'value') {
      // A map row's inputs are `<row>.key` and `<row>.value`: a list inside its value sits under `value`.
      field = field.value;
      i++;
    } else {
      field = undefined;
    }
  }
  return field && (field.kind === 'record' || field.kind === 'array') ? { field, path } : undefined;
}
