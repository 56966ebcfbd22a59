// Outbound HTTP that connects only to the address that was checked. A check before fetch() is not enough:
// fetch resolves the name again, and a rebinding DNS server answers a public address to the check and
// 127.0.0.1 to the connect. Here the check IS the resolution: an undici Agent whose connector resolves once
// through a lookup that classifies every answer (src/lib/private-address.ts) and hands the socket exactly
// those addresses; an IP literal (which needs no lookup) is checked before connecting. Redirects are not
// followed (a 3xx comes back as the answer), so no second destination is ever reached unchecked.
import { lookup as systemLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, type RequestInit, type Response, fetch as undiciFetch } from 'undici';
import { type DestinationPolicy, DestinationRefused, refusalFor } from './private-address.ts';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a name to all its addresses (dns.lookup by default; tests inject a resolver they control). */
export type ResolveAll = (hostname: string) => Promise<ResolvedAddress[]>;

export interface OutboundPolicy extends DestinationPolicy {
  resolve?: ResolveAll;
}

const resolveWithSystem: ResolveAll = (hostname) => systemLookup(hostname, { all: true, verbatim: true });

const unbracket = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

/**
 * Resolves the host once and checks every address it resolves to; throws DestinationRefused if any is
 * refused (a name that answers both a public and a private address is refused as a whole).
 */
export async function resolveCheckedAddresses(
  hostname: string,
  policy: OutboundPolicy,
): Promise<ResolvedAddress[]> {
  const host = unbracket(hostname);
  const literal = isIP(host);
  const addresses = literal
    ? [{ address: host, family: literal }]
    : await (policy.resolve ?? resolveWithSystem)(host);
  if (addresses.length === 0) throw new DestinationRefused(host, 'no address', 'the name did not resolve');
  for (const { address } of addresses) {
    const reason = refusalFor(address, policy);
    if (reason) throw new DestinationRefused(host, address, reason);
  }
  return addresses;
}

/** A net/tls `lookup` that answers only checked addresses, in the shape the caller asked for. */
function checkingLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveCheckedAddresses(hostname, policy).then(
      (addresses) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const wanted = family ? addresses.filter((a) => a.family === family) : addresses;
        if (wanted.length === 0) {
          const error = Object.assign(new Error(`no IPv${family} address for ${hostname}`), {
            code: 'ENOTFOUND',
          });
          callback(error, '', 0);
        } else if (options.all) {
          (callback as unknown as (e: null, all: ResolvedAddress[]) => void)(null, wanted);
        } else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
}

/** An undici dispatcher that connects only to checked addresses. Destroy it when done. */
export function createPinnedDispatcher(policy: OutboundPolicy): Agent {
  const connect = buildConnector({ lookup: checkingLookup(policy) });
  return new Agent({
    connect(options, callback) {
      const host = unbracket(options.hostname);
      if (isIP(host)) {
        const reason = refusalFor(host, policy);
        if (reason) {
          callback(new DestinationRefused(host, host, reason), null);
          return;
        }
      }
      connect(options, callback);
    },
  });
}

/** The refusal inside fetch's "fetch failed" TypeError, so callers can say why. */
function refusalInside(error: unknown): DestinationRefused | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (current instanceof DestinationRefused) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * fetch() through a pinned dispatcher; `read` consumes the response before the dispatcher is destroyed.
 * Redirects are returned, never followed. A refused destination rejects with DestinationRefused.
 */
export async function pinnedFetch<T>(
  url: URL,
  init: Omit<RequestInit, 'dispatcher' | 'redirect'>,
  policy: OutboundPolicy,
  read: (response: Response) => Promise<T>,
): Promise<T> {
  const dispatcher = createPinnedDispatcher(policy);
  try {
    const response = await undiciFetch(url, { ...init, dispatcher, redirect: 'manual' });
    return await read(response);
  } catch (error) {
    throw refusalInside(error) ?? error;
  } finally {
    await dispatcher.destroy().catch(() => {});
  }
}

/**
 * A fetch() function for clients that take one (Google's gaxios `fetchImplementation`): every request goes
 * through one pinned dispatcher, redirects come back unfollowed, a refused destination rejects with
 * DestinationRefused. The caller owns the dispatcher's lifetime (`close`).
 */
export function createPinnedFetch(policy: OutboundPolicy): {
  fetch: (input: string | URL | Request, init?: globalThis.RequestInit) => Promise<globalThis.Response>;
  close: () => Promise<void>;
} {
  const dispatcher = createPinnedDispatcher(policy);
  return {
    async fetch(input, init) {
      try {
        const response = await undiciFetch(input as URL, {
          ...(init as RequestInit),
          dispatcher,
          redirect: 'manual',
        });
        return response as unknown as globalThis.Response;
      } catch (error) {
        throw refusalInside(error) ?? error;
      }
    },
    close: () => dispatcher.destroy().catch(() => {}),
  };
}
