// A ceiling on request bodies under /api, so a huge JSON body is refused with 413 instead of being parsed.
// Uploads are exempt here: they are streamed and limited by MAX_FILE_SIZE in src/features/files/receive-upload.ts.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { errorResponse } from './errors.ts';

export const API_MAX_BODY_BYTES = 1024 * 1024;

export function apiBodyLimit(options: {
  maxBytes?: number;
  exempt: (c: Context) => boolean;
}): MiddlewareHandler {
  const maxBytes = options.maxBytes ?? API_MAX_BODY_BYTES;
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      errorResponse(c, 413, 'payload_too_large', `Request bodies are limited to ${maxBytes} bytes`, {
        max_body_bytes: maxBytes,
      }),
  });
  return async (c, next) => {
    // GET and HEAD carry no body here (@hono/node-server never reads one), and asking for it would build a
    // full fetch Request for every read.
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || options.exempt(c)) return next();
    return limit(c, next);
  };
}
