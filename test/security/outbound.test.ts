// Outbound requests connect only to the address that was checked (src/lib/pinned-fetch.ts,
// src/lib/private-address.ts): every spelling of a private address is classed by where it leads, DNS
// rebinding (a resolver we control answering public first, 127.0.0.1 next) never reaches the real local
// HTTP server, and the HTTP job, webhook/Slack/Discord channels and SMTP all go through the same wall.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { type AlertTarget, describeFailure, sendAlert } from '../../src/features/alerts/send.ts';
import { httpRequestJob } from '../../src/job-functions/builtin/http-request.ts';
import type { JobContext } from '../../src/job-functions/types.ts';
import { createMemoryStore } from '../../src/kv/memory.ts';
import type { ResolveAll, ResolvedAddress } from '../../src/lib/pinned-fetch.ts';
import { classifyAddress, refusalFor } from '../../src/lib/private-address.ts';
import { silentLogger } from '../support/scheduler-harness.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';

const PUBLIC_V4 = '93.184.216.34';

describe('address classes', () => {
  it('refuses every spelling of loopback, link-local, metadata and embedded private IPv4', () => {
    const forbidden = [
      '127.0.0.1',
      '127.1',
      '0177.0.0.1',
      '0x7f.0.0.1',
      '0x7f000001',
      '2130706433',
      '127.0.0.1.',
      '[::1]',
      '::1',
      '::',
      '0.0.0.0',
      '0',
      '169.254.169.254',
      '0xa9fea9fe',
      '255.255.255.255',
      '224.0.0.1',
      '239.255.255.250',
      '240.0.0.1',
      'fe80::1%eth0',
      'fe80::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::127.0.0.1',
      '::7f00:1',
      '::ffff:0:127.0.0.1',
      '64:ff9b::7f00:1',
      '64:ff9b::127.0.0.1',
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::',
      '2002:a9fe:a9fe::1',
      '2001:0:4136:e378:8000:63bf:80ff:fffe', // Teredo, client 127.0.0.1 (inverted)
      '2001:0:7f00:1::1', // Teredo, server 127.0.0.1
      '192.0.0.170',
      'not-an-address',
    ];
    for (const address of forbidden)
      expect([address, classifyAddress(address)]).toEqual([address, 'forbidden']);
  });

  it('classes private networks (allowed only by the operator flag) and public ones', () => {
    const privateNets = [
      '10.0.0.1',
      '012.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '100.64.0.1',
      '198.18.0.1',
      '192.0.2.1',
      '198.51.100.7',
      '203.0.113.9',
      'fd00::1',
      'fc00::1',
      '2001:db8::1',
      '3fff::1',
      '64:ff9b:1::a00:1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      '2002:c0a8:101::1',
    ];
    for (const address of privateNets)
      expect([address, classifyAddress(address)]).toEqual([address, 'private']);
    for (const address of [PUBLIC_V4, '8.8.8.8', '2606:4700::1111', '64:ff9b::808:808', '2002:808:808::1']) {
      expect([address, classifyAddress(address)]).toEqual([address, 'public']);
    }
  });

  it('lets the flag open private networks everywhere but loopback and metadata only outside production', () => {
    const flag = 'JOBS_HTTP_ALLOW_PRIVATE';
    expect(refusalFor('10.0.0.1', { allowPrivate: false, production: false, flag })).toMatch(flag);
    expect(refusalFor('10.0.0.1', { allowPrivate: true, production: true, flag })).toBeUndefined();
    expect(refusalFor('127.0.0.1', { allowPrivate: true, production: false, flag })).toBeUndefined();
    expect(refusalFor('127.0.0.1', { allowPrivate: true, production: true, flag })).toMatch(/never allowed/);
    expect(refusalFor('169.254.169.254', { allowPrivate: true, production: true, flag })).toMatch(/never/);
  });
});

describe('the wall at connect time', () => {
  let server: Server;
  let port: number;
  const reached: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      reached.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/plain' }).end('reached');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** A resolver we control: answers in turn, then repeats the last answer; counts the questions. */
  function scriptedResolver(...answers: ResolvedAddress[][]) {
    const asked: string[] = [];
    const resolve: ResolveAll = async (hostname) => {
      asked.push(hostname);
      return answers[Math.min(asked.length - 1, answers.length - 1)]!;
    };
    return { resolve, asked };
  }
  const v4 = (address: string): ResolvedAddress[] => [{ address, family: 4 }];

  function jobContext(env: Record<string, string>, resolve?: ResolveAll): JobContext {
    const { config } = parseConfig({ APP_ENV: 'test', LOG_LEVEL: 'silent', ...env });
    return {
      signal: new AbortController().signal,
      timeoutMs: 30_000,
      logger: silentLogger(),
      appDb: undefined as never,
      legacyDb: undefined,
      kv: createMemoryStore(),
      files: undefined as never,
      config,
      runId: '00000000-0000-4000-8000-000000000001',
      jobId: '00000000-0000-4000-8000-000000000002',
      jobName: 'outbound-test',
      scheduledFor: new Date(),
      attempt: 1,
      resolve,
    };
  }
  const runJob = (ctx: JobContext, args: Record<string, unknown>) =>
    httpRequestJob.run(ctx, httpRequestJob.argsSchema.parse(args));

  it('DNS rebinding: public for the first answer, 127.0.0.1 for the next; the local server never sees it', async () => {
    const before = reached.length;
    const dns = scriptedResolver(v4(PUBLIC_V4), v4('127.0.0.1'));
    const ctx = jobContext({}, dns.resolve);
    // The only resolution is the one the socket connects with: the public address (unreachable from this
    // machine, so the run fails one way or another), never the rebound 127.0.0.1.
    await expect(
      runJob(ctx, { url: `http://rebind.example:${port}/rebind`, timeout_seconds: 2 }),
    ).rejects.toThrow();
    expect(dns.asked).toEqual(['rebind.example']);
    // Asked again (a retry): the rebound answer is refused before any byte is sent.
    await expect(
      runJob(ctx, { url: `http://rebind.example:${port}/rebind`, timeout_seconds: 2 }),
    ).rejects.toThrow(/refusing rebind\.example \(127\.0\.0\.1\)/);
    expect(reached.length).toBe(before);
  });

  it('a name answering a public and a private address is refused as a whole', async () => {
    const dns = scriptedResolver([
      { address: PUBLIC_V4, family: 4 },
      { address: '127.0.0.1', family: 4 },
    ]);
    await expect(
      runJob(jobContext({}, dns.resolve), { url: `http://mixed.example:${port}/mixed` }),
    ).rejects.toThrow(/refusing mixed\.example \(127\.0\.0\.1\)/);
    expect(reached).not.toContain('/mixed');
  });

  it('refuses IP literals in every spelling a URL accepts, before connecting', async () => {
    for (const host of [
      '127.0.0.1',
      '127.1',
      '0x7f.1',
      '2130706433',
      '0177.0.0.1',
      '127.0.0.1.',
      '[::ffff:127.0.0.1]',
      '[::127.0.0.1]',
      '[64:ff9b::7f00:1]',
      '[2002:7f00:1::]',
    ]) {
      await expect(runJob(jobContext({}), { url: `http://${host}:${port}/literal` })).rejects.toThrow(
        /private or loopback address/,
      );
    }
    expect(reached).not.toContain('/literal');
  });

  it('production never reaches loopback, even with JOBS_HTTP_ALLOW_PRIVATE; outside production the flag does', async () => {
    const production = jobContext({
      JOBS_HTTP_ALLOW_PRIVATE: 'true',
      APP_ENV: 'test',
    });
    production.config = { ...production.config, isProduction: true };
    await expect(runJob(production, { url: `http://127.0.0.1:${port}/prod` })).rejects.toThrow(
      /never allowed in production/,
    );
    expect(reached).not.toContain('/prod');
    const allowed = await runJob(jobContext({ JOBS_HTTP_ALLOW_PRIVATE: 'true' }), {
      url: `http://localhost:${port}/allowed`,
    });
    expect(allowed).toMatchObject({ status: 200, body_preview: 'reached' });
    expect(reached).toContain('/allowed');
  });

  it('does not follow a redirect to a private address (the 3xx is the answer)', async () => {
    const redirecting = createServer((_req, res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${port}/redirected` }).end(),
    );
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    const redirectPort = (redirecting.address() as AddressInfo).port;
    try {
      const output = await runJob(jobContext({ JOBS_HTTP_ALLOW_PRIVATE: 'true' }), {
        url: `http://127.0.0.1:${redirectPort}/start`,
        expected_status: [302],
      });
      expect(output).toMatchObject({ status: 302 });
      expect(reached).not.toContain('/redirected');
    } finally {
      redirecting.closeAllConnections();
      await new Promise<void>((resolve) => redirecting.close(() => resolve()));
    }
  });

  it('alert channels (webhook, Slack, Discord) go through the same wall, rebinding included', async () => {
    const event = {
      event: 'test',
      delivery_id: '00000000-0000-4000-8000-000000000009',
      occurred_at: new Date().toISOString(),
    } as unknown as Parameters<typeof sendAlert>[1];
    for (const kind of ['webhook', 'slack', 'discord'] as const) {
      const target: AlertTarget = {
        kind,
        url: `http://hooks.example:${port}/alert-${kind}`,
        signingSecret: 'secret',
        settings: {},
      };
      const dns = scriptedResolver(v4('127.0.0.1'));
      const refused = await sendAlert(target, event, {
        allowPrivate: false,
        production: false,
        timeoutMs: 2000,
        resolve: dns.resolve,
      }).catch((error: unknown) => error);
      expect(describeFailure(refused)).toMatch(/refusing hooks\.example \(127\.0\.0\.1\)/);
      const inProduction = await sendAlert(target, event, {
        allowPrivate: true,
        production: true,
        timeoutMs: 2000,
        resolve: dns.resolve,
      }).catch((error: unknown) => error);
      expect(describeFailure(inProduction)).toMatch(/never allowed in production/);
      expect(reached).not.toContain(`/alert-${kind}`);
      await sendAlert(target, event, {
        allowPrivate: true,
        production: false,
        timeoutMs: 5000,
        resolve: dns.resolve,
      });
      expect(reached).toContain(`/alert-${kind}`);
    }
  });

  it('SMTP connects to the checked address only', async () => {
    const sink = await startSmtpSink({ user: 'alerts', pass: 'smtp-pass' });
    try {
      const target: AlertTarget = {
        kind: 'email',
        url: `smtp://alerts:smtp-pass@mail.example:${sink.port}`,
        settings: { to: ['ops@example.com'], from: 'alerts@example.com' },
      };
      const event = {
        event: 'test',
        delivery_id: '00000000-0000-4000-8000-000000000010',
        occurred_at: new Date().toISOString(),
      } as unknown as Parameters<typeof sendAlert>[1];
      const dns = scriptedResolver(v4('127.0.0.1'));
      const refused = await sendAlert(target, event, {
        allowPrivate: false,
        production: false,
        timeoutMs: 2000,
        resolve: dns.resolve,
      }).catch((error: unknown) => error);
      expect(describeFailure(refused)).toMatch(/refusing mail\.example \(127\.0\.0\.1\)/);
      expect(sink.received).toHaveLength(0);
      await sendAlert(target, event, {
        allowPrivate: true,
        production: false,
        timeoutMs: 5000,
        resolve: dns.resolve,
      });
      expect(sink.received).toHaveLength(1);
      expect(sink.received[0]!.to).toEqual(['ops@example.com']);
    } finally {
      await sink.close();
    }
  });
});
