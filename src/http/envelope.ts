// The one error envelope: {error_code, message, detail, trace_id}, on every 4xx and 5xx.
// Portable and zod-free: the edge worker imports it directly, so its bundle carries no zod/OpenAPI code.
// The OpenAPI schema of the envelope lives in errors.ts, which re-exports everything here.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface ErrorEnvelope {
  error_code: string;
  message: string;
  /** Structured detail (validation issues, conflicts), or null. */
  detail: unknown;
  /** The request id, also sent as the X-Request-Id header. */
  trace_id: string;
}

/** An error the client can act on: its status, a stable code, a message and optional detail. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly detail: unknown = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

const CODES_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  410: 'gone',
  411: 'length_required',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  416: 'range_not_satisfiable',
  422: 'validation_error',
  428: 'precondition_required',
  429: 'rate_limited',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

export function errorCodeForStatus(status: number): string {
  return CODES_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'bad_request');
}

export function traceIdOf(c: Context): string {
  return (c.get('requestId' as never) as string | undefined) ?? 'unknown';
}

export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  detail: unknown = null,
  headers: Record<string, string> = {},
): Response {
  const traceId = traceIdOf(c);
  const body: ErrorEnvelope = { error_code: code, message, detail: detail ?? null, trace_id: traceId };
  return c.json(body, status, { ...headers, 'X-Request-Id': traceId, 'Cache-Control': 'no-store' });
}

/** Maps any thrown value to the envelope. `exposeInternals` adds a masked message to 500s (local only). */
export function envelopeForError(
  c: Context,
  error: unknown,
  options: { exposeInternals: boolean; mask: (text: string) => string },
): { response: Response; unexpected: boolean } {
  if (error instanceof AppError) {
    return {
      response: errorResponse(c, error.status, error.code, error.message, error.detail, error.headers),
      unexpected: false,
    };
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const message = error.message || defaultMessage(status);
    const headers: Record<string, string> = {};
    error.res?.headers.forEach((value, key) => {
      if (key !== 'content-type' && key !== 'content-length') headers[key] = value;
    });
    return {
      response: errorResponse(c, status, errorCodeForStatus(status), message, null, headers),
      unexpected: status >= 500,
    };
  }
  const detail =
    options.exposeInternals && error instanceof Error ? { error: options.mask(error.message) } : null;
  return {
    response: errorResponse(c, 500, 'internal_error', 'Internal server error', detail),
    unexpected: true,
  };
}

function defaultMessage(status: number): string {
  return errorCodeForStatus(status)
    .replace(/_/g, ' ')
    .replace(/^./, (ch) => ch.toUpperCase());
}
