// Which addresses an outbound request (HTTP job, alert channel) may connect to. Every address is put in one
// of three classes:
//   public     — always allowed;
//   private    — RFC 1918, unique-local, CGNAT, benchmarking and documentation networks: allowed only when the
//                operator's flag (JOBS_HTTP_ALLOW_PRIVATE, ALERTS_ALLOW_PRIVATE) says so (trusted networks);
//   forbidden  — loopback, link-local (cloud metadata at 169.254.169.254), unspecified, multicast, broadcast,
//                reserved: allowed by that flag only outside production (the tests' local receivers), never in
//                production, so a flag set for a private network cannot reach the origin itself by accident.
// IPv6 forms that carry an IPv4 address (mapped, compatible, SIIT, NAT64, 6to4, Teredo) are classed by the
// IPv4 address they reach. The connect-time check lives in src/lib/pinned-fetch.ts.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type AddressClass = 'public' | 'private' | 'forbidden';

type Range = readonly [network: number[], prefix: number, cls: Exclude<AddressClass, 'public'>];

const v4 = (text: string) => text.split('.').map(Number);
const IPV4_RANGES: Range[] = [
  [v4('0.0.0.0'), 8, 'forbidden'], // "this network", 0.0.0.0 (unspecified)
  [v4('10.0.0.0'), 8, 'private'],
  [v4('100.64.0.0'), 10, 'private'], // CGNAT shared address space
  [v4('127.0.0.0'), 8, 'forbidden'], // loopback
  [v4('169.254.0.0'), 16, 'forbidden'], // link-local, cloud metadata
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.0.0.0'), 24, 'forbidden'], // IETF protocol assignments (incl. 192.0.0.170/171 NAT64 discovery)
  [v4('192.0.2.0'), 24, 'private'], // TEST-NET-1 (documentation)
  [v4('192.31.196.0'), 24, 'forbidden'], // AS112
  [v4('192.52.193.0'), 24, 'forbidden'], // AMT
  [v4('192.88.99.0'), 24, 'forbidden'], // 6to4 relay anycast (deprecated)
  [v4('192.168.0.0'), 16, 'private'],
  [v4('192.175.48.0'), 24, 'forbidden'], // AS112 direct delegation
  [v4('198.18.0.0'), 15, 'private'], // benchmarking
  [v4('198.51.100.0'), 24, 'private'], // TEST-NET-2
  [v4('203.0.113.0'), 24, 'private'], // TEST-NET-3
  [v4('224.0.0.0'), 4, 'forbidden'], // multicast
  [v4('240.0.0.0'), 4, 'forbidden'], // reserved, incl. 255.255.255.255 broadcast
];

const v6 = (text: string) => ipaddr.IPv6.parse(text).toByteArray();
const IPV6_RANGES: Range[] = [
  [v6('::'), 128, 'forbidden'], // unspecified
  [v6('::1'), 128, 'forbidden'], // loopback
  [v6('64:ff9b:1::'), 48, 'private'], // local-use NAT64 (RFC 8215): reaches a network of the operator's
  [v6('100::'), 64, 'forbidden'], // discard-only
  [v6('2001::'), 23, 'forbidden'], // IETF protocol assignments (Teredo 2001::/32 is decided by its embedded IPv4 first)
  [v6('2001:db8::'), 32, 'private'], // documentation
  [v6('3fff::'), 20, 'private'], // documentation (RFC 9637)
  [v6('5f00::'), 16, 'forbidden'], // SRv6 SIDs
  [v6('fc00::'), 7, 'private'], // unique local
  [v6('fe80::'), 10, 'forbidden'], // link-local
  [v6('fec0::'), 10, 'forbidden'], // site-local (deprecated)
  [v6('ff00::'), 8, 'forbidden'], // multicast
];

function inRange(bytes: number[], network: number[], prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit += 8) {
    const take = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    const i = bit / 8;
    if (((bytes[i] ?? 0) & mask) !== ((network[i] ?? 0) & mask)) return false;
  }
  return true;
}

const worse = (a: AddressClass, b: AddressClass): AddressClass =>
  a === 'forbidden' || b === 'forbidden'
    ? 'forbidden'
    : a === 'private' || b === 'private'
      ? 'private'
      : 'public';

function classifyIpv4(bytes: number[]): AddressClass {
  for (const [network, prefix, cls] of IPV4_RANGES) if (inRange(bytes, network, prefix)) return cls;
  return 'public';
}

/** The IPv4 addresses an IPv6 address leads to (embedded forms), empty when it carries none. */
function embeddedIpv4(bytes: number[]): number[][] {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  const tail = bytes.slice(12, 16);
  // ::a.b.c.d (IPv4-compatible, deprecated) and ::ffff:a.b.c.d (mapped)
  if (zeros(0, 10) && ((bytes[10] === 0 && bytes[11] === 0) || (bytes[10] === 0xff && bytes[11] === 0xff)))
    return [tail];
  // ::ffff:0:a.b.c.d (SIIT, RFC 6145)
  if (zeros(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && bytes[10] === 0 && bytes[11] === 0)
    return [tail];
  // 64:ff9b::a.b.c.d (well-known NAT64 prefix, RFC 6052)
  if (inRange(bytes, v6('64:ff9b::'), 96)) return [tail];
  // 2002:AABB:CCDD::/16 (6to4): the IPv4 address follows the prefix
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return [bytes.slice(2, 6)];
  // 2001:0000::/32 (Teredo): the server's IPv4 in bits 32-63, the client's (inverted) in the last 32
  if (inRange(bytes, v6('2001::'), 32)) return [bytes.slice(4, 8), tail.map((b) => b ^ 0xff)];
  return [];
}

function classifyIpv6(bytes: number[]): AddressClass {
  const embedded = embeddedIpv4(bytes);
  if (embedded.length > 0) {
    // Teredo's prefix itself sits in 2001::/23; its embedded addresses decide.
    const cls = embedded.map(classifyIpv4).reduce(worse);
    // The bare :: and ::1 fall under "compatible" too: keep them forbidden.
    if (bytes.slice(0, 15).every((b) => b === 0) && (bytes[15] ?? 0) <= 1) return 'forbidden';
    return cls;
  }
  for (const [network, prefix, cls] of IPV6_RANGES) if (inRange(bytes, network, prefix)) return cls;
  return 'public';
}

/**
 * Parses an address the way a resolver or URL may spell it: brackets, a trailing dot, a zone id
 * (`fe80::1%eth0`), and the short, octal and hex IPv4 forms inet_aton accepts (`127.1`, `0177.0.0.1`,
 * `0x7f000001`, `2130706433`). Undefined when the text is not an address at all.
 */
export function parseAddress(text: string): { family: 4 | 6; bytes: number[] } | undefined {
  let host = text.trim().toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  host = host.replace(/\.+$/, '');
  const zone = host.indexOf('%');
  if (zone !== -1) host = host.slice(0, zone);
  if (host.length === 0) return undefined;
  if (isIP(host) === 6 || (host.includes(':') && ipaddr.IPv6.isValid(host))) {
    return { family: 6, bytes: ipaddr.IPv6.parse(host).toByteArray() };
  }
  if (/^[0-9a-fx.]+$/.test(host) && ipaddr.IPv4.isValid(host)) {
    return { family: 4, bytes: ipaddr.IPv4.parse(host).toByteArray() };
  }
  return undefined;
}

/** The class of an address; text that is not an address is "forbidden" (never connect to what we cannot read). */
export function classifyAddress(address: string): AddressClass {
  const parsed = parseAddress(address);
  if (!parsed) return 'forbidden';
  return parsed.family === 4 ? classifyIpv4(parsed.bytes) : classifyIpv6(parsed.bytes);
}

/** True for every address that is not public (kept for callers that only need yes or no). */
export function isPrivateAddress(address: string): boolean {
  return classifyAddress(address) !== 'public';
}

export interface DestinationPolicy {
  /** The operator's flag: private networks allowed (and, outside production only, loopback and the rest). */
  allowPrivate: boolean;
  /** In production the flag never admits forbidden addresses. */
  production: boolean;
  /** The flag's name, for the refusal message. */
  flag: string;
}

/** Why this address may not be reached under the policy, or undefined when it may. */
export function refusalFor(address: string, policy: DestinationPolicy): string | undefined {
  const cls = classifyAddress(address);
  if (cls === 'public') return undefined;
  if (cls === 'private') {
    return policy.allowPrivate
      ? undefined
      : `private or loopback address: a private network (set ${policy.flag}=true to allow)`;
  }
  if (policy.allowPrivate && !policy.production) return undefined;
  return policy.production
    ? 'private or loopback address: loopback, link-local or reserved (never allowed in production)'
    : `private or loopback address: loopback, link-local or reserved (set ${policy.flag}=true to allow outside production)`;
}

/** The error an outbound request fails with when its destination is refused (before any byte is sent). */
export class DestinationRefused extends Error {
  readonly code = 'destination_refused';
  constructor(host: string, address: string, reason: string) {
    super(`refusing ${host} (${address}): ${reason}`);
    this.name = 'DestinationRefused';
  }
}
