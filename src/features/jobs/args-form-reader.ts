// Reads a posted arguments form back into kwargs, exactly: types from the field tree (args-fields.ts), blank
// rows dropped, [] kept, write-only secrets kept, cleared or entered. What the form cannot decide (a number out
// of bounds, a missing required value) is passed on as typed in, so the zod schema names the problem.
import {
  type ArgField,
  addMessages,
  inputName,
  isSecretText,
  type NamedField,
  pathKey,
} from './args-fields.ts';

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
