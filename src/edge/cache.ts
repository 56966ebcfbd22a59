// The edge cache over the Cache API (caches.default): GET/HEAD under /api only, ruled by the origin's
// Cache-Control (cache-policy.ts), revalidated with ETag. Every answer says what happened in X-Cache.
import {
  decideStore,
  etagMatches,
  parseCacheControl,
  type StoreDecision,
  servableToCredentialed,
  sharedFreshnessSeconds,
} from './cache-policy.ts';
import { type ForwardOptions, forwardToOrigin } from './proxy.ts';

export const CACHE_STATUS_HEADER = 'X-Cache';

/**
 * HIT: answered from the edge cache. REVALIDATED: a stale entry the origin confirmed with 304.
 * MISS: fetched from the origin and stored. BYPASS: not cacheable (method, path, credentials, the
 * origin's Cache-Control), fetched from the origin and not stored.
 */
export type CacheStatus = 'HIT' | 'REVALIDATED' | 'MISS' | 'BYPASS';

/** The subset of the Cache API the worker uses. */
export interface EdgeCacheStore {
  match(request: Request): Promise<Response | undefined>;
  put(request: Request, response: Response): Promise<void>;
}

export function defaultCacheStore(): EdgeCacheStore {
  return (caches as unknown as { default: EdgeCacheStore }).default;
}

// Stored entries carry the origin's own Cache-Control and the time they were stored; the Cache-Control
// the Cache API sees only says how long to keep the entry (freshness plus the revalidation window),
// because the Cache API never returns stale entries and revalidation needs them.
const STORED_AT = 'x-edge-stored-at';
const ORIGIN_CACHE_CONTROL = 'x-edge-origin-cache-control';
const INTERNAL_HEADERS = [STORED_AT, ORIGIN_CACHE_CONTROL, 'cf-cache-status'];

/** Response headers a 304 may update on the stored entry (RFC 9111 4.3.4). */
const REFRESHED_BY_304 = ['cache-control', 'etag', 'expires', 'date', 'last-modified', 'vary'];

export interface CacheContext {
  request: Request;
  path: string;
  cache: EdgeCacheStore;
  forward: Omit<ForwardOptions, 'method' | 'headers'>;
  revalidateKeepSeconds: number;
  waitUntil: (promise: Promise<unknown>) => void;
}

export interface CachedAnswer {
  response: Response;
  status: CacheStatus;
}

export function isCacheablePath(path: string): boolean {
  return path.startsWith('/api/');
}

export async function answerThroughCache(ctx: CacheContext): Promise<CachedAnswer> {
  const { request } = ctx;
  const method = request.method;
  if ((method !== 'GET' && method !== 'HEAD') || !isCacheablePath(ctx.path)) {
    return { response: await forwardToOrigin(request, ctx.forward), status: 'BYPASS' };
  }
  const credentialed = request.headers.has('authorization') || request.headers.has('cookie');
  const stored = await lookup(ctx.cache, request);

  if (stored && (!credentialed || servableToCredentialed(stored.headers.get(ORIGIN_CACHE_CONTROL)))) {
    const ageSeconds = Math.max(0, (Date.now() - Number(stored.headers.get(STORED_AT) ?? 0)) / 1000);
    const freshFor = sharedFreshnessSeconds(parseCacheControl(stored.headers.get(ORIGIN_CACHE_CONTROL)));
    if (ageSeconds < freshFor) {
      return { response: toClient(stored, request, Math.floor(ageSeconds)), status: 'HIT' };
    }
    const etag = stored.headers.get('etag');
    if (etag) {
      const revalidation = await forwardToOrigin(request, {
        ...ctx.forward,
        method: 'GET',
        headers: { 'If-None-Match': etag },
      });
      if (revalidation.status === 304) {
        const refreshed = refreshFrom304(stored, revalidation);
        const decision = decisionFor(refreshed, credentialed, ctx.revalidateKeepSeconds);
        if (decision.store) await storeEntry(ctx, refreshed, decision);
        return { response: toClient(refreshed, request, 0), status: 'REVALIDATED' };
      }
      return storeAndAnswer(ctx, revalidation, credentialed);
    }
  }
  // A HEAD miss is fetched as GET so the entry can serve both; Hono drops the body for HEAD.
  const fromOrigin = await forwardToOrigin(request, { ...ctx.forward, method: 'GET' });
  return storeAndAnswer(ctx, fromOrigin, credentialed);
}

function decisionFor(
  response: Response,
  credentialed: boolean,
  revalidateKeepSeconds: number,
): StoreDecision {
  return decideStore({
    status: response.status,
    cacheControl: response.headers.get('cache-control'),
    etag: response.headers.get('etag'),
    setCookie: response.headers.has('set-cookie'),
    vary: response.headers.get('vary'),
    credentialed,
    revalidateKeepSeconds,
  });
}

async function storeAndAnswer(
  ctx: CacheContext,
  fromOrigin: Response,
  credentialed: boolean,
): Promise<CachedAnswer> {
  const decision = decisionFor(fromOrigin, credentialed, ctx.revalidateKeepSeconds);
  if (!decision.store) return { response: fromOrigin, status: 'BYPASS' };
  await storeEntry(ctx, fromOrigin, decision);
  return { response: fromOrigin, status: 'MISS' };
}

/** Bodies up to this size are stored before the answer leaves, so the next identical request is a HIT. */
export const STORE_BEFORE_ANSWER_MAX_BYTES = 1024 * 1024;

async function storeEntry(ctx: CacheContext, response: Response, decision: { keepSeconds: number }) {
  const base = baseKey(ctx.request);
  const fields = varyFields(response.headers.get('vary'));
  let put: Promise<void>;
  if (fields.length === 0) {
    put = ctx.cache.put(base, toStorable(response.clone(), decision));
  } else {
    const manifest = new Response('', {
      headers: {
        [VARY_MANIFEST]: fields.join(','),
        'cache-control': `public, max-age=${decision.keepSeconds}`,
      },
    });
    const variant = await variantKey(ctx.request, fields);
    put = Promise.all([
      ctx.cache.put(base, manifest),
      ctx.cache.put(variant, toStorable(response.clone(), decision)),
    ]).then(() => {});
  }
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  // Larger or unknown-length bodies stream to the client while the copy is stored in the background.
  if (length <= STORE_BEFORE_ANSWER_MAX_BYTES) await put;
  else ctx.waitUntil(put);
}

// Vary: the base key (the URL) holds a manifest naming the varied request headers; each combination of
// their values is stored under its own key (the URL plus a digest of the values). Accept-Encoding is left
// out: the platform stores and serves encodings itself.
const VARY_MANIFEST = 'x-edge-vary-manifest';
const VARIANT_PARAM = '__edge_variant';

function baseKey(request: Request): Request {
  return new Request(request.url, { method: 'GET' });
}

export function varyFields(vary: string | null): string[] {
  return (vary ?? '')
    .split(',')
    .map((field) => field.trim().toLowerCase())
    .filter((field) => field !== '' && field !== 'accept-encoding')
    .sort();
}

async function variantKey(request: Request, fields: string[]): Promise<Request> {
  const material = JSON.stringify(fields.map((field) => [field, request.headers.get(field)]));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(material));
  const hex = [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  const url = new URL(request.url);
  url.searchParams.append(VARIANT_PARAM, hex.slice(0, 32));
  return new Request(url, { method: 'GET' });
}

async function lookup(cache: EdgeCacheStore, request: Request): Promise<Response | undefined> {
  const found = await cache.match(baseKey(request));
  const manifest = found?.headers.get(VARY_MANIFEST);
  if (!found || manifest === null || manifest === undefined) return found;
  return cache.match(await variantKey(request, manifest.split(',')));
}

function toStorable(response: Response, decision: { keepSeconds: number }): Response {
  const headers = new Headers(response.headers);
  headers.set(ORIGIN_CACHE_CONTROL, response.headers.get('cache-control') ?? '');
  headers.set(STORED_AT, String(Date.now()));
  headers.set('cache-control', `public, max-age=${decision.keepSeconds}`);
  headers.delete('x-request-id');
  headers.delete('age');
  return new Response(response.body, { status: response.status, headers });
}

/** The stored entry as the client sees it: the origin's headers, an Age, a 304 when the client's ETag matches. */
function toClient(stored: Response, request: Request, ageSeconds: number): Response {
  const headers = new Headers(stored.headers);
  headers.set('cache-control', stored.headers.get(ORIGIN_CACHE_CONTROL) ?? '');
  for (const name of INTERNAL_HEADERS) headers.delete(name);
  headers.set('age', String(ageSeconds));
  if (etagMatches(request.headers.get('if-none-match'), stored.headers.get('etag'))) {
    headers.delete('content-length');
    headers.delete('content-type');
    return new Response(null, { status: 304, headers });
  }
  return new Response(stored.body, { status: stored.status, headers });
}

function refreshFrom304(stored: Response, notModified: Response): Response {
  const headers = new Headers(stored.headers);
  headers.set('cache-control', stored.headers.get(ORIGIN_CACHE_CONTROL) ?? '');
  for (const name of REFRESHED_BY_304) {
    const value = notModified.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  headers.set(ORIGIN_CACHE_CONTROL, headers.get('cache-control') ?? '');
  headers.set(STORED_AT, String(Date.now()));
  return new Response(stored.body, { status: stored.status, headers });
}
