// Forwards one request to the origin with the forwarding headers, bounded by a timeout.
// An unreachable origin and a timeout become AppErrors (502, 504) so the envelope answers them.
import { AppError } from '../http/envelope.ts';
import { edgeLog } from './log.ts';

/** Hop-by-hop headers (RFC 9110 7.6.1) and Host: they describe this connection, not the request. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
];

export interface ForwardOptions {
  originUrl: URL;
  timeoutMs: number;
  requestId: string;
  clientIp: string | undefined;
  /** Replaces the request's method (a HEAD miss is fetched as GET to fill the cache). */
  method?: string;
  /** Extra request headers (If-None-Match when revalidating). */
  headers?: Record<string, string>;
}

export function originUrlFor(request: Request, originUrl: URL): URL {
  const incoming = new URL(request.url);
  const target = new URL(originUrl);
  // The origin URL may carry a base path (https://origin.example.com/base).
  target.pathname = `${originUrl.pathname.replace(/\/$/, '')}${incoming.pathname}`;
  target.search = incoming.search;
  return target;
}

export function forwardedHeaders(request: Request, options: ForwardOptions): Headers {
  const incoming = new URL(request.url);
  const headers = new Headers(request.headers);
  for (const name of HOP_BY_HOP) headers.delete(name);
  // The client cannot be trusted to name itself: the edge states the one address it saw.
  if (options.clientIp) headers.set('X-Forwarded-For', options.clientIp);
  else headers.delete('X-Forwarded-For');
  headers.set('X-Forwarded-Proto', incoming.protocol.replace(/:$/, ''));
  headers.set('X-Forwarded-Host', incoming.host);
  headers.set('X-Request-Id', options.requestId);
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  return headers;
}

export async function forwardToOrigin(request: Request, options: ForwardOptions): Promise<Response> {
  const method = options.method ?? request.method;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    const response = await fetch(originUrlFor(request, options.originUrl), {
      method,
      headers: forwardedHeaders(request, options),
      body: method === 'GET' || method === 'HEAD' ? null : request.body,
      redirect: 'manual',
      signal: controller.signal,
    });
    // A copy with mutable headers: the edge adds X-Cache, X-RateLimit-* and X-Request-Id.
    return new Response(response.body, response);
  } catch (error) {
    if (controller.signal.aborted) {
      edgeLog('error', 'origin timeout', { trace_id: options.requestId, timeout_ms: options.timeoutMs });
      throw new AppError(504, 'gateway_timeout', `The origin did not answer within ${options.timeoutMs} ms`);
    }
    // The reason stays in the log: it can name internal hosts.
    edgeLog('error', 'origin unreachable', {
      trace_id: options.requestId,
      reason: error instanceof Error ? error.message : String(error),
    });
    throw new AppError(502, 'bad_gateway', 'The origin is unreachable');
  } finally {
    clearTimeout(timer);
  }
}
