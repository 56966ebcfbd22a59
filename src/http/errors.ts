// The one error envelope: {error_code, message, detail, trace_id}, on every 4xx and 5xx.
// The implementation is in envelope.ts (zod-free, shared with the edge worker); this module adds the
// envelope's OpenAPI schema for the origin's routes.
import { z } from '@hono/zod-openapi';
import type { ErrorEnvelope } from './envelope.ts';

export * from './envelope.ts';

export const ErrorEnvelopeSchema = z
  .object({
    error_code: z.string().openapi({ example: 'not_found' }),
    message: z.string().openapi({ example: 'No route for GET /api/v1/nothing' }),
    detail: z
      .unknown()
      .nullable()
      .openapi({ description: 'Structured detail (validation issues, conflicts), or null' }),
    trace_id: z.string().openapi({ description: 'The request id, also sent as the X-Request-Id header' }),
  })
  .openapi('ErrorEnvelope');

// The schema describes exactly the envelope type that envelope.ts builds.
export type ErrorEnvelopeFromSchema = z.infer<typeof ErrorEnvelopeSchema> & ErrorEnvelope;
