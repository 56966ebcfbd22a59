// The client's address: the one rule for rate limits, login lockout, audit rows and request logs.
// The socket's peer is the client unless the peer is a configured proxy (TRUSTED_PROXIES). Only then do
// X-Forwarded-For entries count, walked right to left across trusted hops: the first untrusted entry is the
// client (everything left of it could be forged by that client). X-Real-IP counts only from a trusted peer
// that sent no X-Forwarded-For. Every value returned is a canonical IP address (or "unknown"), never raw
// header text, so it fits every column and key that stores it.
import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';
import ipaddr from 'ipaddr.js';
import { parseCidr } from '../config/cidr.ts';

/** What a request without any transport peer (app.request in tests, an embedding) is recorded as. */
export const UNKNOWN_CLIENT = 'unknown';

/** Proxies are looked up per list; the config object lives as long as the app. */
const trustedLists = new WeakMap<readonly string[], BlockList>();

function trustedList(cidrs: readonly string[]): BlockList {
  let list = trustedLists.get(cidrs);
  if (!list) {
    list = new BlockList();
    for (const entry of cidrs) {
      const parsed = parseCidr(entry);
      if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
    trustedLists.set(cidrs, list);
  }
  return list;
}

/**
 * An address as a header or socket gives it, in canonical form, or undefined when it is not one:
 * brackets and a port are dropped (`[2001:db8::1]:443`, `192.0.2.1:8080`), an IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`, what a dual-stack socket reports) becomes the IPv4 address, zone ids are refused.
 */
export function canonicalAddress(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let text = raw.trim();
  if (text.length === 0 || text.length > 64) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else {
    const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
    if (withPort) text = withPort[1]!;
  }
  // isIP is strict (dotted decimal only); ipaddr.js then gives the canonical text and unmaps ::ffff:a.b.c.d.
  if (isIP(text) === 0 || text.includes('%')) return undefined;
  return ipaddr.process(text).toString();
}

const familyOf = (address: string) => (isIP(address) === 4 ? 'ipv4' : 'ipv6');

/** The rule itself, free of Hono: the peer, the two headers and the trusted proxies' CIDRs. */
export function resolveClientAddress(input: {
  peer: string | undefined;
  forwardedFor?: string | undefined;
  realIp?: string | undefined;
  trustedProxies: readonly string[];
}): string {
  const peer = judgePeer(input.peer, input.trustedProxies);
  return peer.trusted ? behindProxy(peer.address, input, input.trustedProxies) : peer.address;
}

/** The socket peer in canonical form, and whether it is a trusted proxy (whose forwarded headers count). */
interface JudgedPeer {
  address: string;
  trusted: boolean;
}

function judgePeer(raw: string | undefined, trustedProxies: readonly string[]): JudgedPeer {
  const address = canonicalAddress(raw);
  if (!address) return { address: UNKNOWN_CLIENT, trusted: false };
  if (trustedProxies.length === 0) return { address, trusted: false };
  return { address, trusted: trustedList(trustedProxies).check(address, familyOf(address)) };
}

/** A trusted peer's request: the forwarded headers, walked right to left across trusted hops. */
function behindProxy(
  peer: string,
  headers: { forwardedFor?: string | undefined; realIp?: string | undefined },
  trustedProxies: readonly string[],
): string {
  const trusted = trustedList(trustedProxies);
  const isTrusted = (address: string) => trusted.check(address, familyOf(address));
  if (headers.forwardedFor !== undefined) {
    // Right to left: each trusted hop vouches for the entry to its left.
    const entries = headers.forwardedFor.split(',');
    let client = peer;
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = canonicalAddress(entries[i]);
      // A malformed entry was written by whoever is left of the last trusted hop: that hop is as far as we know.
      if (!entry) return client;
      client = entry;
      if (!isTrusted(entry)) return entry;
    }
    return client;
  }
  return canonicalAddress(headers.realIp) ?? peer;
}

type PeerEnv =
  | {
      incoming?: { socket?: { remoteAddress?: string } };
      remoteAddr?: { hostname?: string };
    }
  | undefined;

/** The transport's peer address: @hono/node-server puts the request in c.env.incoming, Deno.serve passes info. */
export function peerAddress(c: Context): string | undefined {
  const env = c.env as PeerEnv;
  return env?.incoming?.socket?.remoteAddress ?? env?.remoteAddr?.hostname;
}

/**
 * The judged peer of each socket: a keep-alive connection carries many requests from one peer, so its address
 * is parsed and checked against the trusted proxies once (per list of proxies), not on every request.
 */
const judgedSockets = new WeakMap<object, { proxies: readonly string[]; peer: JudgedPeer }>();

function judgedPeerOf(c: Context, trustedProxies: readonly string[]): JudgedPeer {
  const socket = (c.env as PeerEnv)?.incoming?.socket;
  if (!socket) return judgePeer(peerAddress(c), trustedProxies);
  const known = judgedSockets.get(socket);
  if (known?.proxies === trustedProxies) return known.peer;
  const peer = judgePeer(socket.remoteAddress, trustedProxies);
  // A socket that has not connected yet (or is gone) has no address: not worth remembering.
  if (socket.remoteAddress !== undefined) judgedSockets.set(socket, { proxies: trustedProxies, peer });
  return peer;
}

const NO_PROXIES: readonly string[] = [];

export function clientIp(c: Context): string {
  const deps = c.get('deps' as never) as
    | { config?: { http?: { trustedProxies?: readonly string[] } } }
    | undefined;
  const trustedProxies = deps?.config?.http?.trustedProxies ?? NO_PROXIES;
  const peer = judgedPeerOf(c, trustedProxies);
  if (!peer.trusted) return peer.address;
  return behindProxy(
    peer.address,
    { forwardedFor: c.req.header('x-forwarded-for'), realIp: c.req.header('x-real-ip') },
    trustedProxies,
  );
}
