// GET /api/v1/health against real components: healthy on PGlite, degraded when Redis dies, unhealthy when
// the app DB is down, a per-component timeout against a server that never answers, and no writes.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createPostgresClient, type SqlClient } from '../../src/db/client.ts';
import type { AppDependencies } from '../../src/deps.ts';
import { createRedisStore } from '../../src/kv/index.ts';
import { scrape } from '../support/metrics.ts';
import { findPostgresBinaries, type PostgresServer, startPostgres } from '../support/postgres-server.ts';
import { findRedisBinary, type RedisServer, startRedis } from '../support/redis-server.ts';
import { createTestDeps } from '../support/test-deps.ts';
import { until } from '../support/time-scale.ts';

interface HealthBody {
  status: string;
  components: Record<string, { status: string; kind?: string; latency_ms: number; error?: string }>;
  version: string;
}

async function getHealth(deps: AppDependencies) {
  const response = await createApp(deps).request('/api/v1/health');
  return { response, body: (await response.json()) as HealthBody };
}

/** The next transaction id the server would hand out: it moves only when something writes. */
const nextXid = async (client: SqlClient) =>
  String(
    (await client.query<{ x: string }>('select pg_snapshot_xmax(pg_current_snapshot())::text as x'))[0]!.x,
  );

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

describe('health on PGlite (embedded defaults)', () => {
  it('is healthy with both databases and no Redis configured, and writes nothing', async () => {
    const { deps } = await createTestDeps();
    cleanups.push(() => deps.db.close());
    const before = await nextXid(deps.db.app);
    const { response, body } = await getHealth(deps);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(body.status).toBe('healthy');
    expect(Object.keys(body.components).sort()).toEqual(['app_db', 'legacy_db']);
    expect(body.components.app_db).toMatchObject({ status: 'healthy', kind: 'pglite' });
    expect(body.components.legacy_db).toMatchObject({ status: 'healthy', kind: 'pglite' });
    expect(body.components.app_db!.latency_ms).toBeGreaterThanOrEqual(0);
    await getHealth(deps);
    expect(await nextXid(deps.db.app)).toBe(before);
  });

  it('GET /healthz answers without touching any dependency', async () => {
    const { deps } = await createTestDeps({ legacy: null });
    let queries = 0;
    deps.db.app = {
      ...deps.db.app,
      query: async () => {
        queries++;
        throw new Error('down');
      },
    };
    const response = await createApp(deps).request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(queries).toBe(0);
  });
});

describe.skipIf(!findRedisBinary())('health with a Redis that dies', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('is degraded (200) while Redis is down and healthy again once it is back', async () => {
    const kv = createRedisStore(redis.url);
    await kv.client.connect();
    const { deps } = await createTestDeps({ env: { REDIS_URL: redis.url }, kv });
    cleanups.push(
      () => deps.db.close(),
      () => kv.close(),
    );
    const healthy = await getHealth(deps);
    expect(healthy.body.status).toBe('healthy');
    expect(healthy.body.components.redis).toMatchObject({ status: 'healthy', kind: 'redis' });

    await redis.kill();
    const degraded = await getHealth(deps);
    expect(degraded.response.status).toBe(200);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.components.redis!.status).toBe('unhealthy');
    // Written for operators: what is wrong and which variable to check, not the driver's internals.
    expect(degraded.body.components.redis!.error).toMatch(/REDIS_URL/);
    expect(degraded.body.components.redis!.error).not.toMatch(/enableOfflineQueue|Stream isn't writeable/);
    expect(degraded.body.components.app_db!.status).toBe('healthy');
    // The same probes feed app_dependency_up, which the RedisDown alert reads (docker/monitoring/rules).
    const scraped = await scrape(createApp(deps));
    expect(scraped.value('app_dependency_up', { dependency: 'redis' })).toBe(0);
    expect(scraped.value('app_dependency_up', { dependency: 'app_db' })).toBe(1);

    await redis.start();
    await until(() => kv.client.status === 'ready', { what: 'the Redis client reconnecting' });
    expect((await getHealth(deps)).body.status).toBe('healthy');
  });

  it('reports Redis as timed out after HEALTH_REDIS_TIMEOUT_MS when it stops answering (SIGSTOP)', async () => {
    const kv = createRedisStore(redis.url);
    await kv.client.connect();
    const { deps } = await createTestDeps({
      env: { REDIS_URL: redis.url, HEALTH_REDIS_TIMEOUT_MS: '120' },
      kv,
    });
    cleanups.push(
      () => deps.db.close(),
      () => kv.close(),
    );
    redis.freeze();
    try {
      const { response, body } = await getHealth(deps);
      expect(response.status).toBe(200);
      expect(body.status).toBe('degraded');
      expect(body.components.redis).toMatchObject({
        status: 'unhealthy',
        error: 'no answer within 120 ms (HEALTH_REDIS_TIMEOUT_MS); it may be overloaded or unreachable',
      });
    } finally {
      redis.thaw();
    }
  });

  it('reports a Redis that accepts connections but never answers as unhealthy, without hanging', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `redis://127.0.0.1:${(silent.address() as { port: number }).port}/0`;
    const kv = createRedisStore(url);
    // The handshake (HELLO) never gets an answer, so the client never becomes ready.
    kv.client.connect().catch(() => {});
    const { deps } = await createTestDeps({ env: { REDIS_URL: url, HEALTH_REDIS_TIMEOUT_MS: '120' }, kv });
    cleanups.push(async () => {
      await Promise.all([deps.db.close(), kv.close()]);
      // The server waits for its connections; a client still retrying must not keep it open.
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const { response, body } = await getHealth(deps);
    expect(response.status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.components.redis!.status).toBe('unhealthy');
  });
});

describe.skipIf(!findPostgresBinaries())('health with an app DB that goes down (private PostgreSQL)', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is healthy on PostgreSQL and writes nothing', async () => {
    const app = createPostgresClient({ url: server.url, label: 'app', max: 2 });
    const observer = createPostgresClient({ url: server.url, label: 'observer', max: 1 });
    const { deps } = await createTestDeps({ app });
    cleanups.push(
      () => deps.db.close(),
      () => observer.close(),
    );
    const stats = async () =>
      (
        await observer.query<{ n: string }>(
          'select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::text as n from pg_stat_user_tables',
        )
      )[0]!.n;
    const [xidBefore, statsBefore] = [await nextXid(observer), await stats()];
    for (let i = 0; i < 3; i++) {
      const { response, body } = await getHealth(deps);
      expect(response.status).toBe(200);
      expect(body.components.app_db).toMatchObject({ status: 'healthy', kind: 'postgres' });
    }
    expect(await nextXid(observer)).toBe(xidBefore);
    expect(await stats()).toBe(statsBefore);
  });

  it('is unhealthy (503) while the app DB is down, and healthy once it is back', async () => {
    const app = createPostgresClient({ url: server.url, label: 'app', max: 2 });
    const { deps } = await createTestDeps({ app });
    cleanups.push(() => deps.db.close());
    expect((await getHealth(deps)).response.status).toBe(200);

    await server.pause();
    try {
      const { response, body } = await getHealth(deps);
      expect(response.status).toBe(503);
      expect(body.status).toBe('unhealthy');
      expect(body.components.app_db!.status).toBe('unhealthy');
      expect(body.components.app_db!.error).toMatch(/.+/);
      // The legacy DB (PGlite here) is still reported on its own.
      expect(body.components.legacy_db!.status).toBe('healthy');
    } finally {
      await server.start();
    }
    const recovered = await getHealth(deps);
    expect(recovered.response.status).toBe(200);
    expect(recovered.body.status).toBe('healthy');
  });
});

describe('per-component timeouts against a server that accepts and never answers', () => {
  let silent: Server;
  let silentUrlPort = 0;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrlPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('reports the legacy DB as timed out after HEALTH_POSTGRES_TIMEOUT_MS and the whole as degraded', async () => {
    const legacy = createPostgresClient({
      url: `postgres://u:silentpw@127.0.0.1:${silentUrlPort}/legacy`,
      label: 'silent',
      max: 1,
    });
    const { deps } = await createTestDeps({ legacy, env: { HEALTH_POSTGRES_TIMEOUT_MS: '150' } });
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await deps.db.close();
    });
    const { response, body } = await getHealth(deps);
    expect(response.status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.components.app_db!.status).toBe('healthy');
    expect(body.components.legacy_db).toMatchObject({
      status: 'unhealthy',
      error: 'no answer within 150 ms (HEALTH_POSTGRES_TIMEOUT_MS); it may be overloaded or unreachable',
    });
    expect(JSON.stringify(body)).not.toContain('silentpw');
  });
});
