// The job registry: which functions this build can run, looked up by their `module:function` key.
import { z } from '@hono/zod-openapi';
import { describeIssues, type ValidationIssue } from '../http/validation.ts';
import { BUILTIN_JOBS } from './builtin/index.ts';
import { JOB_KEY_PATTERN, type JobFunction } from './types.ts';

export interface JobRegistry {
  get(key: string): JobFunction | undefined;
  has(key: string): boolean;
  list(): JobFunction[];
  /** Validates positional args and kwargs for a function: the parsed kwargs, or the issues. */
  validateArgs(
    key: string,
    args: unknown,
    kwargs: unknown,
  ): { ok: true; kwargs: unknown } | { ok: false; issues: ValidationIssue[] };
  /** The kwargs JSON Schema for the API and the admin form. */
  jsonSchema(key: string): unknown;
}

export function createJobRegistry(functions: readonly JobFunction[] = BUILTIN_JOBS): JobRegistry {
  const byKey = new Map<string, JobFunction>();
  for (const fn of functions) {
    if (!JOB_KEY_PATTERN.test(fn.key)) throw new Error(`job key "${fn.key}" is not module:function`);
    if (byKey.has(fn.key)) throw new Error(`job key "${fn.key}" is registered twice`);
    byKey.set(fn.key, fn);
  }
  return {
    get: (key) => byKey.get(key),
    has: (key) => byKey.has(key),
    list: () => [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key)),
    validateArgs(key, args, kwargs) {
      const fn = byKey.get(key);
      if (!fn) {
        return {
          ok: false,
          issues: [{ location: 'body', path: 'func', message: `no job function "${key}"`, code: 'unknown' }],
        };
      }
      // Functions take keyword arguments only; positional args are kept for the seed's column shape.
      if (!Array.isArray(args) || args.length > 0) {
        return {
          ok: false,
          issues: [
            {
              location: 'body',
              path: 'args',
              message: 'job functions take keyword arguments (kwargs); args must be an empty list',
              code: 'custom',
            },
          ],
        };
      }
      const parsed = fn.argsSchema.safeParse(kwargs ?? {});
      if (!parsed.success) {
        return {
          ok: false,
          issues: describeIssues(parsed.error.issues, 'body').map((issue) => ({
            ...issue,
            path: issue.path ? `kwargs.${issue.path}` : 'kwargs',
          })),
        };
      }
      return { ok: true, kwargs: parsed.data };
    },
    jsonSchema(key) {
      const fn = byKey.get(key);
      return fn ? z.toJSONSchema(fn.argsSchema, { io: 'input', unrepresentable: 'any' }) : undefined;
    },
  };
}
