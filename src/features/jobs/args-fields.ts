// The typed arguments form's field tree: a job function's JSON Schema (generated from its zod schema) becomes
// a tree of form fields, and the tree names the inputs the view renders. Pure: no request, no database.
// args-form.ts is the module callers import; the posted form is read back in args-form-reader.ts.
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
export const isRecord = (value: unknown): value is Record<string, unknown> =>
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

/** A value path as the service's issues write it (`kwargs.headers.X`), minus the `kwargs.` prefix. */
export const pathKey = (path: readonly (string | number)[]) => path.join('.');

export function addMessages(into: Record<string, string[]>, key: string, messages: readonly string[]) {
  into[key] = [...(into[key] ?? []), ...messages];
}

export const isSecretText = (field: ArgField) => field.kind === 'text' && field.secret;

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
