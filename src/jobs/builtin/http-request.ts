// Calls an HTTP endpoint. Loopback, private, link-local and similar addresses are refused unless
// JOBS_HTTP_ALLOW_PRIVATE is on, so a job cannot be used to reach the origin's own network.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { z } from '@hono/zod-openapi';
import { secretString } from '../../secrets/schema-secrets.ts';
import { defineJob } from '../types.ts';

const BODY_PREVIEW_CHARS = 2_000;

const privateRanges = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  privateRanges.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  privateRanges.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return privateRanges.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return privateRanges.check(mapped[1]!, 'ipv4');
    return privateRanges.check(address, 'ipv6');
  }
  return true;
}

export const httpRequestJob = defineJob({
  key: 'app.jobs.http:http_request',
  description:
    'Sends an HTTP request and fails unless the response has the expected status. Private addresses are refused unless allowed by config.',
  argsSchema: z
    .object({
      method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
      url: z.url({ protocol: /^https?$/ }),
      headers: z.record(z.string(), z.string()).default({}),
      /** Headers that carry credentials (Authorization, API keys): stored encrypted, never shown again. */
      secret_headers: z.record(z.string(), secretString()).default({}).meta({
        description: 'Write-only headers (e.g. Authorization), encrypted at rest; reads show {"set": true}',
      }),
      body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
      timeout_seconds: z.number().int().min(1).max(600).default(30),
      expected_status: z.array(z.number().int().min(100).max(599)).min(1).default([200]),
    })
    .strict(),
  async run(ctx, args) {
    const url = new URL(args.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
    if (!ctx.config.scheduler.httpAllowPrivate) {
      const blocked = addresses.find(isPrivateAddress);
      if (blocked) {
        throw new Error(
          `refusing ${host} (${blocked}): private or loopback address (set JOBS_HTTP_ALLOW_PRIVATE=true to allow)`,
        );
      }
    }
    const headers = new Headers(args.headers);
    for (const [name, value] of Object.entries(args.secret_headers)) headers.set(name, value);
    let body: string | undefined;
    if (typeof args.body === 'string') body = args.body;
    else if (args.body !== undefined) {
      body = JSON.stringify(args.body);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    const started = performance.now();
    const response = await fetch(url, {
      method: args.method,
      headers,
      body,
      // Redirects could lead to a private address; report them instead of following.
      redirect: 'manual',
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(args.timeout_seconds * 1000)]),
    });
    const text = args.method === 'HEAD' ? '' : await response.text();
    const result = {
      status: response.status,
      duration_ms: Math.round(performance.now() - started),
      body_preview: text.slice(0, BODY_PREVIEW_CHARS),
      body_truncated: text.length > BODY_PREVIEW_CHARS,
    };
    if (!args.expected_status.includes(response.status)) {
      throw Object.assign(
        new Error(`unexpected status ${response.status} (expected ${args.expected_status.join(', ')})`),
        { output: result },
      );
    }
    return result;
  },
});
