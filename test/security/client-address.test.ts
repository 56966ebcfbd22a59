// One client-address rule (src/http/client-ip.ts): forwarded headers count only from a TRUSTED_PROXIES peer,
// walked right to left; otherwise the socket peer is the client. Checked on the pure rule and on a real
// listening origin, where a direct client forges X-Forwarded-For / X-Real-IP and gains nothing: not a fresh
// login allowance, not a false audit address, and never a 5xx from an oversized header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAccessToken } from '../../src/features/auth/jwt.ts';
import { findUserByUsername } from '../../src/features/users/users.service.ts';
import { resolveClientAddress, UNKNOWN_CLIENT } from '../../src/http/client-ip.ts';
import { startTestOrigin, type TestOrigin } from '../support/origin.ts';
import { createTestDatabase, realPostgresUrl } from '../support/real-servers.ts';

const ADMIN = { ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'client-address-password-1' };

describe('resolveClientAddress', () => {
  const rule = (peer: string | undefined, headers: { xff?: string; realIp?: string }, trusted: string[]) =>
    resolveClientAddress({
      peer,
      forwardedFor: headers.xff,
      realIp: headers.realIp,
      trustedProxies: trusted,
    });

  it('takes the socket peer when no proxy is trusted, whatever the headers say', () => {
    expect(rule('198.51.100.4', { xff: '127.0.0.1', realIp: '10.0.0.1' }, [])).toBe('198.51.100.4');
    expect(rule('198.51.100.4', { xff: '127.0.0.1' }, ['10.0.0.0/8'])).toBe('198.51.100.4');
  });

  it('walks X-Forwarded-For right to left across trusted hops only', () => {
    const trusted = ['10.0.0.0/8', '192.0.2.7'];
    // nginx (10.1.1.1) appended the load balancer (192.0.2.7), which appended the client (203.0.113.5);
    // the left-most entry was sent by the client and is ignored.
    expect(rule('10.1.1.1', { xff: '1.2.3.4, 203.0.113.5, 192.0.2.7' }, trusted)).toBe('203.0.113.5');
    expect(rule('10.1.1.1', { xff: '203.0.113.5' }, trusted)).toBe('203.0.113.5');
    // Every hop trusted: the left-most one is as far as the chain goes.
    expect(rule('10.1.1.1', { xff: '10.9.9.9, 10.2.2.2' }, trusted)).toBe('10.9.9.9');
    // A malformed entry stops the walk at the last hop that vouched for it.
    expect(rule('10.1.1.1', { xff: 'evil, 10.2.2.2' }, trusted)).toBe('10.2.2.2');
    expect(rule('10.1.1.1', { xff: `${'9'.repeat(100)}` }, trusted)).toBe('10.1.1.1');
    // Ports and brackets some proxies add are understood.
    expect(rule('10.1.1.1', { xff: '[2001:db8::5]:443' }, trusted)).toBe('2001:db8::5');
  });

  it('believes X-Real-IP only from a trusted peer without X-Forwarded-For, and only a real address', () => {
    expect(rule('10.1.1.1', { realIp: '203.0.113.9' }, ['10.0.0.0/8'])).toBe('203.0.113.9');
    expect(rule('10.1.1.1', { realIp: 'x'.repeat(100) }, ['10.0.0.0/8'])).toBe('10.1.1.1');
    expect(rule('203.0.113.1', { realIp: '10.0.0.1' }, ['10.0.0.0/8'])).toBe('203.0.113.1');
  });

  it('gives canonical addresses: a dual-stack peer is its IPv4 address; no peer is "unknown"', () => {
    expect(rule('::ffff:10.1.1.1', { xff: '203.0.113.5' }, ['10.0.0.0/8'])).toBe('203.0.113.5');
    expect(rule('::ffff:198.51.100.4', {}, [])).toBe('198.51.100.4');
    expect(rule('2001:DB8:0:0::1', {}, [])).toBe('2001:db8::1');
    expect(rule(undefined, { xff: '203.0.113.5' }, ['10.0.0.0/8'])).toBe(UNKNOWN_CLIENT);
  });
});

describe('client address on a real listening origin', () => {
  let direct: TestOrigin;
  let proxied: TestOrigin;
  beforeAll(async () => {
    // The run's real PostgreSQL when it has one (faster to start than two embedded databases).
    const database = async (): Promise<Record<string, string>> =>
      realPostgresUrl() ? { DB_APP_URL: await createTestDatabase('client_ip') } : {};
    // Reached directly (npm start, a ClusterIP Service, a debug port): no proxy trusted.
    direct = await startTestOrigin({ ...ADMIN, ...(await database()), LOGIN_MAX_ATTEMPTS_PER_MINUTE: '3' });
    // Behind a proxy on loopback (the test client plays nginx).
    proxied = await startTestOrigin({ ...ADMIN, ...(await database()), TRUSTED_PROXIES: '127.0.0.1' });
  }, 180_000);
  afterAll(async () => {
    await direct?.stop();
    await proxied?.stop();
  });

  const token = async (origin: TestOrigin) => {
    const response = await fetch(`${origin.url}/api/v1/auth/token`, {
      method: 'POST',
      body: new URLSearchParams({ username: ADMIN.ADMIN_USERNAME, password: ADMIN.ADMIN_PASSWORD }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  };
  const lastAudit = async (origin: TestOrigin, action: string) => {
    const rows = await origin.deps.db.app.query<{ client_ip: string }>(
      'select client_ip from audit_log where action = $1 order by id desc limit 1',
      [action],
    );
    return rows[0]?.client_ip;
  };

  it('a forged X-Forwarded-For does not buy a direct client a fresh login allowance', async () => {
    const statuses: number[] = [];
    // Seven attempts at a budget of 3 a minute: even if a minute boundary falls inside, two windows pass at most
    // 3 + 3, so the seventh is refused, unless the forged headers buy a fresh allowance (then all seven pass).
    for (let i = 0; i < 7; i++) {
      const response = await fetch(`${direct.url}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'X-Forwarded-For': `203.0.113.${i + 1}`, 'X-Real-IP': `198.51.100.${i + 1}` },
        body: new URLSearchParams({ username: `nobody-${i}`, password: 'wrong' }),
      });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(3 + 3);
    expect(statuses).toContain(429);
  });

  it('a 100-character X-Real-IP and forged X-Forwarded-For neither fail a write nor land in the audit row', async () => {
    const admin = await token(proxied);
    // The direct origin's login budget for 127.0.0.1 is spent by the test above: sign its token directly.
    const user = await findUserByUsername(direct.deps.db.app.drizzle, ADMIN.ADMIN_USERNAME);
    const directAdmin = (await issueAccessToken(direct.deps.config.auth, user!)).token;
    const job = (name: string) =>
      JSON.stringify({ name, func: 'app.jobs.heartbeat:hello_job', cron: '*/5 * * * *', kwargs: {} });

    const forged = {
      'Content-Type': 'application/json',
      'X-Real-IP': 'x'.repeat(100),
      'X-Forwarded-For': `${'1'.repeat(80)}, 203.0.113.77`,
    };
    const onDirect = await fetch(`${direct.url}/api/v1/jobs`, {
      method: 'POST',
      headers: { ...forged, Authorization: `Bearer ${directAdmin}` },
      body: job('direct-forged'),
    });
    expect(onDirect.status).toBe(201);
    expect(await lastAudit(direct, 'job.create')).toBe('127.0.0.1');

    const onProxied = await fetch(`${proxied.url}/api/v1/jobs`, {
      method: 'POST',
      headers: { ...forged, Authorization: `Bearer ${admin}` },
      body: job('proxied-forged'),
    });
    expect(onProxied.status).toBe(201);
    // The trusted hop (127.0.0.1) vouches for the right-most entry only.
    expect(await lastAudit(proxied, 'job.create')).toBe('203.0.113.77');

    const realIpOnly = await fetch(`${proxied.url}/api/v1/jobs`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Real-IP': 'x'.repeat(100),
        Authorization: `Bearer ${admin}`,
      },
      body: job('proxied-real-ip'),
    });
    expect(realIpOnly.status).toBe(201);
    expect(await lastAudit(proxied, 'job.create')).toBe('127.0.0.1');
  });
});
