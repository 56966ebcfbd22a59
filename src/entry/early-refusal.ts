// Early refusals that reach the client. When the origin answers before it has read the request's body (413
// past the body limit, 415 for a refused upload, any answer to an unread body) or cannot parse the request
// at all (431 for oversized headers, 400 for garbage), the answer says `Connection: close`, and the socket is
// closed gently: our side is ended after the answer, and what the client still sends is read and discarded
// (bounded in bytes and time) until it closes its side. Closing with unread bytes in the kernel's buffer
// would send a reset, and a reset can destroy an answer the client has not read yet; a keep-alive client
// would also have reused the socket and seen a socket error on its next request.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How much of an unread body is read and thrown away before the socket is cut anyway. */
export const LINGER_MAX_BYTES = 32 * 1024 * 1024;
/** And for how long at most (a client that neither sends nor closes does not hold a socket for ever). */
export const LINGER_MAX_MS = 10_000;

const lingering = new WeakSet<Socket>();

/** Ends our side now and destroys the socket once the client closed, or past the byte or time bound. */
export function lingeringClose(socket: Socket): void {
  if (socket.destroyed || lingering.has(socket)) return;
  lingering.add(socket);
  let discarded = 0;
  const finish = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(finish, LINGER_MAX_MS);
  timer.unref();
  socket.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_MAX_BYTES) finish();
  });
  socket.once('end', finish);
  socket.once('close', () => clearTimeout(timer));
  socket.on('error', finish);
  socket.end();
  socket.resume();
}

/**
 * Called for every request before the app sees it: an answer written while the body is still unread gets
 * `Connection: close`, and Node's close after that answer becomes a lingering close.
 */
export function closeGentlyWhenBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function writeHeadClosingUnreadBody(this: ServerResponse, ...args: unknown[]) {
    if (!req.complete && !this.headersSent) {
      this.setHeader('Connection', 'close');
      const socket = req.socket as Socket & { destroySoon?: () => void };
      // Node ends a `Connection: close` response's socket with destroySoon(): make that a lingering close.
      socket.destroySoon = () => lingeringClose(socket);
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof res.writeHead;
}

const REASONS: Record<number, [string, string, string]> = {
  400: ['Bad Request', 'bad_request', 'The request could not be parsed as HTTP'],
  408: ['Request Timeout', 'request_timeout', 'The request was not received in time'],
  413: ['Content Too Large', 'payload_too_large', 'The request is too large'],
  431: ['Request Header Fields Too Large', 'header_fields_too_large', 'The request headers are too large'],
};

/** The status a parser error deserves (Node's clientError). */
function statusForClientError(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 413;
  return 400;
}

/**
 * Node's clientError: a request the parser refused. Answered in the envelope with `Connection: close`, then
 * closed gently, instead of Node's default of writing a bare status line and destroying the socket at once.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (socket.destroyed) return;
  // A keep-alive socket has carried earlier answers: only an answer still being written (Node's in-flight
  // response, headers sent) makes writing ours corrupt the stream; bytes written before that do not.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent || lingering.has(socket)) {
    socket.destroy();
    return;
  }
  const status = statusForClientError(error.code);
  const [reason, errorCode, message] = REASONS[status]!;
  const traceId = randomUUID();
  const body = JSON.stringify({ error_code: errorCode, message, detail: null, trace_id: traceId });
  // The parser is in an error state: stop feeding it, so more bytes cannot raise more client errors.
  socket.removeAllListeners('data');
  socket.write(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${traceId}\r\n` +
      'Cache-Control: no-store\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
  lingeringClose(socket);
}
