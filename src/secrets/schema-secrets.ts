// Secret fields are marked in a job function's zod schema (`secretString()`), and everything else is derived from
// that mark: which values are sealed on write, kept on update, opened for the run, and masked on read.
import { z } from '@hono/zod-openapi';
import { isSealedSecret, type SecretBox } from './secret-box.ts';

/** A write-only string argument: stored encrypted, read back as {"set": true}. */
export function secretString() {
  return z.string().min(1).meta({ secret: true, writeOnly: true });
}

type AnySchema = z.ZodType;
type Def = { type: string; innerType?: AnySchema; in?: AnySchema; shape?: Record<string, AnySchema> } & {
  valueType?: AnySchema;
  element?: AnySchema;
};

const defOf = (schema: AnySchema) => (schema as unknown as { _zod: { def: Def } })._zod.def;
const isSecretNode = (schema: AnySchema) => z.globalRegistry.get(schema)?.secret === true;

/** Wrappers that hold one schema inside (optional, default, nullable, pipe, ...). */
function innerOf(schema: AnySchema): AnySchema | undefined {
  const def = defOf(schema);
  return def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
}

const containsCache = new WeakMap<AnySchema, boolean>();

export function containsSecret(schema: AnySchema): boolean {
  const cached = containsCache.get(schema);
  if (cached !== undefined) return cached;
  containsCache.set(schema, false); // recursion guard
  let found = isSecretNode(schema);
  if (!found) {
    const def = defOf(schema);
    const inner = innerOf(schema);
    if (inner) found = containsSecret(inner);
    else if (def.type === 'object') found = Object.values(def.shape ?? {}).some(containsSecret);
    else if (def.type === 'record') found = !!def.valueType && containsSecret(def.valueType);
    else if (def.type === 'array') found = !!def.element && containsSecret(def.element);
  }
  containsCache.set(schema, found);
  return found;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Walks `value` (with the previously stored document beside it) and lets `atSecret` decide every value that sits
 * at a secret field. Returning undefined removes the field.
 */
function walk(
  schema: AnySchema,
  value: unknown,
  previous: unknown,
  atSecret: (value: unknown, previous: unknown) => unknown,
): unknown {
  let node = schema;
  for (;;) {
    if (isSecretNode(node)) return atSecret(value, previous);
    const inner = innerOf(node);
    if (!inner) break;
    node = inner;
  }
  if (!containsSecret(node)) return value;
  const def = defOf(node);
  // A container left out of an update still holds stored secrets: walk it as empty so they are kept.
  if (value === undefined && isObject(previous) && (def.type === 'object' || def.type === 'record')) {
    const kept = walk(node, {}, previous, atSecret);
    return isObject(kept) && Object.keys(kept).length > 0 ? kept : undefined;
  }
  if (!(isObject(value) || Array.isArray(value))) return value;
  const prev = isObject(previous) ? previous : {};
  if (def.type === 'object' && isObject(value)) {
    const out: Record<string, unknown> = { ...value };
    for (const [key, child] of Object.entries(def.shape ?? {})) {
      const next = walk(child, value[key], prev[key], atSecret);
      if (next === undefined) delete out[key];
      else out[key] = next;
    }
    return out;
  }
  if (def.type === 'record' && isObject(value) && def.valueType) {
    const valueType = def.valueType;
    // When the values themselves are secret, keys only stored so far are kept (not resending is not deleting).
    const keys = new Set([...Object.keys(value), ...(isSecretNodeDeep(valueType) ? Object.keys(prev) : [])]);
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const next = walk(valueType, value[key], prev[key], atSecret);
      if (next !== undefined) out[key] = next;
    }
    return out;
  }
  if (def.type === 'array' && Array.isArray(value) && def.element) {
    const element = def.element;
    return value.map((item) => walk(element, item, undefined, atSecret));
  }
  return value;
}

function isSecretNodeDeep(schema: AnySchema): boolean {
  for (let node: AnySchema | undefined = schema; node; node = innerOf(node)) {
    if (isSecretNode(node)) return true;
  }
  return false;
}

const isSetMarker = (v: unknown, set: boolean) => isObject(v) && Object.keys(v).length === 1 && v.set === set;

/**
 * Applies the write-only rules to incoming arguments against the stored ones: a secret field that is absent, or
 * {"set": true} (what a read shows), keeps the stored value; {"set": false} clears it; anything else replaces it.
 * Stored values come back sealed; the result is then opened for validation and sealed again.
 */
export function mergeSecretInput(schema: AnySchema, input: unknown, stored: unknown): unknown {
  return walk(schema, input, stored, (value, previous) => {
    if (isSetMarker(value, false)) return undefined;
    if (value === undefined || isSetMarker(value, true) || isSealedSecret(value)) {
      return isSealedSecret(previous) ? previous : value === undefined ? undefined : { set: true };
    }
    return value;
  });
}

/** Opens every sealed value at a secret field (inside the run, and to validate an update). */
export function openSecrets(schema: AnySchema, value: unknown, box: SecretBox): unknown {
  return walk(schema, value, undefined, (v) => (isSealedSecret(v) ? box.open(v) : v));
}

/** Seals every plain value at a secret field (after validation, before the row is written). */
export function sealSecrets(schema: AnySchema, value: unknown, box: SecretBox): unknown {
  return walk(schema, value, undefined, (v) => (v === undefined || isSealedSecret(v) ? v : box.seal(v)));
}
