// The typed arguments form: a job function's JSON Schema (generated from its zod schema) becomes a tree of
// form fields, the tree names the inputs the view renders, and the same tree reads a posted form back into
// kwargs. Pure: no request, no database. The zod schema stays the judge: what the form cannot decide (a number
// out of bounds, a missing required value) is passed on as typed in, and the service's 422 comes back per field.
//
// Input names: `kw.` + the path of the value, segments joined by '.' (`kw.headers.0.key`,
// `kw.expected_status.1`). Names with ':' carry meta data, never values: `<array>:present` (the list was on the
// form, so no rows means []), `<row>:remove`, `<secret>:clear`, `<secret>:stored`.
// The parts: args-fields.ts (the tree and input names), args-form-reader.ts (the posted form read back); this
// module adds the values around them (defaults, the service's issues, secrets kept out of echoed text).
import { type ArgField, addMessages, isRecord, type NamedField } from './args-fields.ts';

export * from './args-fields.ts';
export * from './args-form-reader.ts';

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
