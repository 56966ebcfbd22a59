// The answers services give about a resource by id or by name, in one place: a malformed id names nothing
// (404, like an unknown one: see http/openapi.ts IdParamSchema), and a unique-name clash is a 409 that
// names the field.
import { AppError } from './errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Throws the not-found answer unless id is a UUID (what = "job", "run", "alert channel", ...). */
export function assertId(id: string, what: string): void {
  if (!UUID.test(id)) throw new AppError(404, 'not_found', `No ${what} ${id}`);
}

/** Postgres 23505, whether the driver's error arrives bare or wrapped by drizzle (as `cause`). */
export function isUniqueViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 3; depth++) {
    if ((current as { code?: unknown }).code === '23505') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * For `.catch()`: a unique violation becomes 409 name_taken (`${thing} named "x" already exists`, thing being
 * "A job", "An alert channel"); any other error is rethrown.
 */
export function nameTaken(thing: string, name: string) {
  return (error: unknown): never => {
    if (isUniqueViolation(error)) {
      throw new AppError(409, 'name_taken', `${thing} named "${name}" already exists`, { field: 'name' });
    }
    throw error;
  };
}
