// What the edge may store and for how long, decided from the origin's Cache-Control alone (no heuristics).
// Pure functions: the worker and the unit tests share them.

export interface CacheDirectives {
  public: boolean;
  private: boolean;
  noStore: boolean;
  noCache: boolean;
  maxAge: number | undefined;
  sMaxAge: number | undefined;
}

export function parseCacheControl(header: string | null): CacheDirectives {
  const directives: CacheDirectives = {
    public: false,
    private: false,
    noStore: false,
    noCache: false,
    maxAge: undefined,
    sMaxAge: undefined,
  };
  if (!header) return directives;
  for (const part of header.split(',')) {
    const [rawName, rawValue] = part.split('=', 2) as [string, string | undefined];
    const name = rawName.trim().toLowerCase();
    const seconds = rawValue === undefined ? Number.NaN : Number(rawValue.trim().replace(/^"|"$/g, ''));
    const value = Number.isInteger(seconds) && seconds >= 0 ? seconds : undefined;
    if (name === 'public') directives.public = true;
    // `private="Set-Cookie"` names fields; a shared cache treats any private as "do not store".
    else if (name === 'private') directives.private = true;
    else if (name === 'no-store') directives.noStore = true;
    else if (name === 'no-cache') directives.noCache = true;
    else if (name === 'max-age') directives.maxAge = value;
    else if (name === 's-maxage') directives.sMaxAge = value;
  }
  return directives;
}

/** Seconds the response stays fresh in a shared cache: s-maxage, else max-age; no-cache means 0. */
export function sharedFreshnessSeconds(directives: CacheDirectives): number {
  if (directives.noCache) return 0;
  return directives.sMaxAge ?? directives.maxAge ?? 0;
}

export type StoreDecision =
  | { store: true; freshSeconds: number; keepSeconds: number }
  | { store: false; reason: string };

export interface StoreInput {
  status: number;
  cacheControl: string | null;
  etag: string | null;
  setCookie: boolean;
  vary: string | null;
  /** The request carried Authorization or Cookie. */
  credentialed: boolean;
  /** How long an entry with an ETag is kept past freshness, to be revalidated with If-None-Match. */
  revalidateKeepSeconds: number;
}

/**
 * Whether a response from the origin may be stored at the edge.
 * Stored: 200s the origin did not mark private or no-store, that are fresh for a while or can be
 * revalidated (ETag). Responses to requests with credentials only when the origin said `public`.
 */
export function decideStore(input: StoreInput): StoreDecision {
  if (input.status !== 200) return { store: false, reason: `status ${input.status}` };
  const directives = parseCacheControl(input.cacheControl);
  if (directives.noStore) return { store: false, reason: 'no-store' };
  if (directives.private) return { store: false, reason: 'private' };
  if (input.credentialed && !directives.public) {
    return { store: false, reason: 'request carries credentials and the response is not public' };
  }
  if (input.setCookie) return { store: false, reason: 'sets a cookie' };
  // Any other Vary is honoured by storing one entry per combination of the varied request headers.
  if (input.vary?.split(',').some((field) => field.trim() === '*')) {
    return { store: false, reason: 'Vary: *' };
  }
  const freshSeconds = sharedFreshnessSeconds(directives);
  const keepSeconds = freshSeconds + (input.etag ? input.revalidateKeepSeconds : 0);
  if (keepSeconds <= 0) return { store: false, reason: 'neither fresh nor revalidatable (no ETag)' };
  return { store: true, freshSeconds, keepSeconds };
}

/** Whether a stored response may answer a request with credentials: only when the origin said `public`. */
export function servableToCredentialed(storedCacheControl: string | null): boolean {
  return parseCacheControl(storedCacheControl).public;
}

/** RFC 9110 weak comparison, as If-None-Match uses it. */
export function etagMatches(ifNoneMatch: string | null, etag: string | null): boolean {
  if (!ifNoneMatch || !etag) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((candidate) => strip(candidate) === strip(etag));
}
