// Helpers that keep every route's OpenAPI description complete: error responses in the envelope, JSON bodies,
// and the security requirement. Route files use them with createRoute().
import { z } from '@hono/zod-openapi';
import { ErrorEnvelopeSchema } from './errors.ts';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request',
  401: 'Not authenticated (missing, invalid or expired token)',
  403: 'Authenticated, but the role is too small',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict with the current state',
  412: 'Precondition failed (If-Match did not match)',
  413: 'Payload too large',
  415: 'Unsupported media type',
  416: 'Range not satisfiable',
  422: 'Validation failed; detail lists each issue',
  428: 'Precondition required',
  429: 'Too many requests; see Retry-After',
  500: 'Internal error',
  503: 'Service unavailable',
};

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS & number;

const errorContent = { 'application/json': { schema: ErrorEnvelopeSchema } };

/** Response entries for the given error statuses, each with the error envelope: `...errorResponses(401, 404)`. */
export function errorResponses<const S extends number>(
  ...statuses: S[]
): Record<S, { description: string; content: typeof errorContent }> {
  const out = {} as Record<S, { description: string; content: typeof errorContent }>;
  for (const status of statuses) {
    out[status] = { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: errorContent };
  }
  return out;
}

/** The statuses any authenticated route can answer with (no token, small role, invalid input). */
export const AUTHENTICATED_ERRORS = [401, 403, 422] as const;

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { 'application/json': { schema } } };
}

export const BEARER_SCHEME = 'bearerAuth';
export const OAUTH2_SCHEME = 'oauth2Password';
/** Marks an operation as open to anonymous callers (it overrides the document's default security). */
export const PUBLIC_OPERATION: { security: Record<string, string[]>[] } = { security: [] };

export const IdParamSchema = z.object({
  id: z
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, example: '0190b6e4-8d1e-7c4b-9a55-3f1f5e2b6c01' }),
});

/** Text that Postgres can store and logs can show: no control characters (NUL would make Postgres fail). */
export const plainText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => ![...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), {
      message: 'must not contain control characters',
    });
