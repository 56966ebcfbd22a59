// Calls an HTTP endpoint through the pinned dispatcher (lib/pinned-fetch): it connects only to addresses that
// passed the check, so DNS rebinding cannot swap in a private one. Private destinations are refused unless
// JOBS_HTTP_ALLOW_PRIVATE is on; loopback and link-local never in production.
import { z } from '@hono/zod-openapi';
import { type OutboundPolicy, pinnedFetch } from '../../lib/pinned-fetch.ts';
import { secretString } from '../../secrets/schema-secrets.ts';
import { defineJob } from '../types.ts';

export { isPrivateAddress } from '../../lib/private-address.ts';

const BODY_PREVIEW_CHARS = 2_000;

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
    const policy: OutboundPolicy = {
      allowPrivate: ctx.config.scheduler.httpAllowPrivate,
      production: ctx.config.isProduction,
      flag: 'JOBS_HTTP_ALLOW_PRIVATE',
      resolve: ctx.resolve,
    };
    const headers = new Headers(args.headers);
    for (const [name, value] of Object.entries(args.secret_headers)) headers.set(name, value);
    let body: string | undefined;
    if (typeof args.body === 'string') body = args.body;
    else if (args.body !== undefined) {
      body = JSON.stringify(args.body);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    const started = performance.now();
    // Redirects are answered, never followed (pinnedFetch): a 3xx is reported like any other status.
    const { response, text } = await pinnedFetch(
      url,
      {
        method: args.method,
        headers: Object.fromEntries(headers),
        body,
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(args.timeout_seconds * 1000)]),
      },
      policy,
      async (response) => ({ response, text: args.method === 'HEAD' ? '' : await response.text() }),
    );
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
