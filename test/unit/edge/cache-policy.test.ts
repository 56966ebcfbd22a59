import { describe, expect, it } from 'vitest';
import { varyFields } from '../../../src/edge/cache.ts';
import {
  decideStore,
  etagMatches,
  parseCacheControl,
  sharedFreshnessSeconds,
} from '../../../src/edge/cache-policy.ts';

const base = {
  status: 200,
  etag: null,
  setCookie: false,
  vary: null,
  credentialed: false,
  revalidateKeepSeconds: 600,
};

describe('edge cache policy', () => {
  it('reads the directives a shared cache acts on', () => {
    expect(parseCacheControl('Public, S-MaxAge=60, max-age="10"')).toMatchObject({
      public: true,
      sMaxAge: 60,
      maxAge: 10,
    });
    expect(parseCacheControl('private="Set-Cookie", no-store')).toMatchObject({
      private: true,
      noStore: true,
    });
    expect(parseCacheControl('max-age=-1').maxAge).toBeUndefined();
  });

  it('prefers s-maxage over max-age; no-cache means never fresh', () => {
    expect(sharedFreshnessSeconds(parseCacheControl('max-age=10, s-maxage=60'))).toBe(60);
    expect(sharedFreshnessSeconds(parseCacheControl('max-age=10'))).toBe(10);
    expect(sharedFreshnessSeconds(parseCacheControl('public, no-cache, max-age=10'))).toBe(0);
  });

  it.each([
    ['no-store', { cacheControl: 'public, max-age=60, no-store' }, 'no-store'],
    ['private', { cacheControl: 'private, max-age=60' }, 'private'],
    ['a non-200', { cacheControl: 'public, max-age=60', status: 404 }, 'status 404'],
    ['Set-Cookie', { cacheControl: 'public, max-age=60', setCookie: true }, 'sets a cookie'],
    ['Vary: *', { cacheControl: 'public, max-age=60', vary: 'Origin, *' }, 'Vary: *'],
    ['nothing fresh and no ETag', { cacheControl: 'public' }, 'neither fresh'],
    ['no Cache-Control at all', { cacheControl: null }, 'neither fresh'],
    [
      'credentials without public',
      { cacheControl: 's-maxage=60', credentialed: true },
      'request carries credentials',
    ],
  ])('does not store: %s', (_name, input, reason) => {
    const decision = decideStore({ ...base, ...input });
    expect(decision.store).toBe(false);
    expect(decision.store === false && decision.reason).toContain(reason);
  });

  it('stores fresh responses for their freshness, and keeps ETag ones longer for revalidation', () => {
    expect(decideStore({ ...base, cacheControl: 'max-age=60' })).toEqual({
      store: true,
      freshSeconds: 60,
      keepSeconds: 60,
    });
    expect(decideStore({ ...base, cacheControl: 'public, no-cache', etag: '"a"' })).toEqual({
      store: true,
      freshSeconds: 0,
      keepSeconds: 600,
    });
    expect(decideStore({ ...base, cacheControl: 'public, max-age=60', credentialed: true }).store).toBe(true);
    expect(decideStore({ ...base, cacheControl: 'max-age=60', vary: 'accept-encoding' }).store).toBe(true);
    // Stored per value of the varied headers (see varyFields).
    expect(decideStore({ ...base, cacheControl: 'max-age=60', vary: 'Origin' }).store).toBe(true);
  });

  it('compares ETags weakly, as If-None-Match does', () => {
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('W/"a"', '"a"')).toBe(true);
    expect(etagMatches('"x", "a"', 'W/"a"')).toBe(true);
    expect(etagMatches('*', '"a"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
    expect(etagMatches(null, '"a"')).toBe(false);
  });

  it('varies on the request headers the origin names, except Accept-Encoding (the platform handles it)', () => {
    expect(varyFields('Origin, Accept-Encoding, accept-language')).toEqual(['accept-language', 'origin']);
    expect(varyFields('accept-encoding')).toEqual([]);
    expect(varyFields(null)).toEqual([]);
  });
});
