// Validation failures become a 422 envelope listing each issue with where it was found.
import type { Hook } from '@hono/zod-openapi';
import type { z } from 'zod';
import { AppError, errorResponse } from './errors.ts';

export interface ValidationIssue {
  location: string;
  path: string;
  message: string;
  code: string;
}

export function describeIssues(issues: readonly z.core.$ZodIssue[], location: string): ValidationIssue[] {
  return issues.map((issue) => ({
    location,
    path: issue.path.map(String).join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

/** Parses input with a schema, or throws a 422 AppError listing every issue (for services called without HTTP). */
export function parseOrThrow<T>(
  schema: { safeParse(value: unknown): { success: boolean; data?: T; error?: unknown } },
  input: unknown,
  message: string,
): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const { issues } = parsed.error as { issues: z.core.$ZodIssue[] };
    throw new AppError(422, 'validation_error', message, describeIssues(issues, 'body'));
  }
  return parsed.data as T;
}

// biome-ignore lint/suspicious/noExplicitAny: one hook serves every route and every app environment.
export const validationHook: Hook<any, any, any, any> = (result, c) => {
  if (!result.success) {
    const location = (result as { target?: string }).target ?? 'request';
    // Path parameters are ids: one that is malformed names nothing, so it is answered like an unknown one.
    if (location === 'param') {
      return errorResponse(c, 404, 'not_found', `No resource at ${c.req.path}`, {
        issues: describeIssues(result.error.issues, location),
      });
    }
    return errorResponse(
      c,
      422,
      'validation_error',
      'The request is not valid',
      describeIssues(result.error.issues, location),
    );
  }
  return undefined;
};
