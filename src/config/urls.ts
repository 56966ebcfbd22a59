// Database and Redis URL checks shared by parsing and the production guards.
import { isIP } from 'node:net';

export type NormalisedUrl =
  | { ok: true; url: string; rewrittenScheme: string | undefined }
  | { ok: false; reason: string };

const DRIVER_SUFFIXED = /^(postgres(?:ql)?)\+[a-z0-9]+:\/\//i;

/** Accepts postgres:// and postgresql:// URLs, and the seed's SQLAlchemy form postgresql+asyncpg://. */
export function normalisePostgresUrl(value: string): NormalisedUrl {
  let rewrittenScheme: string | undefined;
  let candidate = value.trim();
  const suffixed = DRIVER_SUFFIXED.exec(candidate);
  if (suffixed) {
    rewrittenScheme = candidate.slice(0, candidate.indexOf('://'));
    candidate = `postgresql://${candidate.slice(suffixed[0].length)}`;
  }
  let parsed: URL;
  try {
    parsed = new URL(candidate);
  } catch {
    return {
      ok: false,
      reason: 'is not a valid URL (expected postgresql://user:password@host:5432/database)',
    };
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    return { ok: false, reason: 'must start with postgresql:// (or postgres://)' };
  }
  if (!parsed.hostname && !parsed.searchParams.get('host')) {
    return { ok: false, reason: 'has no host (expected postgresql://user:password@host:5432/database)' };
  }
  if (parsed.pathname.length <= 1) {
    return {
      ok: false,
      reason: 'names no database (expected postgresql://user:password@host:5432/database)',
    };
  }
  return { ok: true, url: candidate, rewrittenScheme };
}

/** The host a URL connects to; a Unix socket path (postgres' ?host=/run/...) counts as local. */
export function urlHost(value: string): string {
  try {
    const parsed = new URL(value);
    return parsed.searchParams.get('host') ?? parsed.hostname;
  } catch {
    return '';
  }
}

export function isLoopbackHost(rawHost: string): boolean {
  const host = rawHost.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === '' || host.startsWith('/')) return true;
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.') || host === '0.0.0.0';
  if (isIP(host) === 6) return host === '::1' || host === '::' || host.startsWith('::ffff:127.');
  return false;
}
