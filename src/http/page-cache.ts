// Serialized answers of hot reads (GET /jobs, GET /jobs/{id}), kept until the data behind them changes
// (src/db/change-feed.ts). A hit costs a shared barrier round trip and no query, no row mapping, no JSON: the
// stored bytes are the body (UTF-8 encoded once per build, so a hit neither measures nor encodes ~70 KB of text,
// and every answer in flight shares one buffer). Concurrent misses for one key share one build. When the feed cannot promise that
// every committed change has been counted, the page is built from the database and not stored.
import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { ChangeFeed } from '../db/change-feed.ts';

/** Enough for every page the UI and API clients ask for; each entry is one answer (≤ ~80 KB for 100 jobs). */
const MAX_PAGES = 256;

export interface CachedPage {
  /** The answer's JSON, UTF-8 encoded. */
  body: Buffer;
  /** The builder's tag, or one naming this very body (a new one for each build). */
  etag: string;
}

export interface PageCache {
  /** The page for `key` at the current data, built (and stored) when absent or out of date. */
  get<T>(key: string, build: () => Promise<T>, etagOf?: (value: T) => string): Promise<CachedPage>;
  /** This process wrote: forget every page now. */
  changed(): void;
  close(): Promise<void>;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value));

export function createPageCache(feed: ChangeFeed, maxPages = MAX_PAGES): PageCache {
  const pages = new Map<string, { generation: number; page: CachedPage }>();
  const building = new Map<string, Promise<CachedPage>>();
  // Tags name one build of one process: a client's tag never matches a different body.
  const processTag = randomBytes(6).toString('base64url');
  let builds = 0;

  const build = async <T>(
    key: string,
    generation: number,
    make: () => Promise<T>,
    etagOf?: (value: T) => string,
  ) => {
    const value = await make();
    const page = { body: encode(value), etag: etagOf?.(value) ?? `"${processTag}.${++builds}"` };
    // Stored only if nothing changed while it was built (a change then may or may not be in this body).
    if (feed.generation === generation) {
      pages.delete(key);
      pages.set(key, { generation, page });
      if (pages.size > maxPages) pages.delete(pages.keys().next().value!);
    }
    return page;
  };

  return {
    async get(key, make, etagOf) {
      if (!(await feed.settled())) {
        const value = await make();
        return { body: encode(value), etag: etagOf?.(value) ?? `"${processTag}.${++builds}"` };
      }
      const generation = feed.generation;
      const hit = pages.get(key);
      if (hit?.generation === generation) return hit.page;
      if (hit) pages.delete(key);
      const buildKey = `${generation}\n${key}`;
      let pending = building.get(buildKey);
      if (!pending) {
        pending = build(key, generation, make, etagOf).finally(() => building.delete(buildKey));
        building.set(buildKey, pending);
      }
      return pending;
    },
    changed() {
      feed.changed();
      pages.clear();
    },
    close: () => feed.close(),
  };
}

/** Sends a cached page as JSON with its ETag; 304 when the client already holds it. */
export function sendPage(c: Context, page: CachedPage, cacheControl = 'private, no-cache'): Response {
  const headers = { 'Content-Type': 'application/json', ETag: page.etag, 'Cache-Control': cacheControl };
  const held = c.req.header('if-none-match');
  if (held?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === page.etag)) {
    return c.body(null, 304, headers);
  }
  return c.body(page.body as Uint8Array<ArrayBuffer>, 200, headers);
}
