// Validation failures become a 422 envelope listing each issue with where it was found.
import type { Hook } from '@hono/zod-openapi';
import type { z } from 'zod';
import { errorResponse } from './errors.ts';

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

// biome-ignore lint/suspicious/noExplicitAny: one hook serves every route and every app environment.
export const validationHook: Hook<any, any, any, any> = (result, c) => {
  if (!result.success) {
    const location = (result as { target?: string }).target ?? 'request';
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
