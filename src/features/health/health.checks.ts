// Probes each dependency with its own timeout. Reads only: a health check never writes.
import type { AppDependencies } from '../../deps.ts';
import { TimeoutError, withTimeout } from '../../lib/with-timeout.ts';
import { maskSecretsInText } from '../../observability/redact.ts';
import type { ComponentHealth, Health } from './health.schemas.ts';

/** What each component's check is about: the variables an operator changes to fix it. */
interface Probed {
  name: 'app_db' | 'legacy_db' | 'redis';
  urlVariable: 'DB_APP_URL' | 'DB_LEGACY_URL' | 'REDIS_URL';
  timeoutVariable: 'HEALTH_POSTGRES_TIMEOUT_MS' | 'HEALTH_REDIS_TIMEOUT_MS';
}

const PROBED: Record<Probed['name'], Probed> = {
  app_db: { name: 'app_db', urlVariable: 'DB_APP_URL', timeoutVariable: 'HEALTH_POSTGRES_TIMEOUT_MS' },
  legacy_db: {
    name: 'legacy_db',
    urlVariable: 'DB_LEGACY_URL',
    timeoutVariable: 'HEALTH_POSTGRES_TIMEOUT_MS',
  },
  redis: { name: 'redis', urlVariable: 'REDIS_URL', timeoutVariable: 'HEALTH_REDIS_TIMEOUT_MS' },
};

const errorCode = (error: unknown) => String((error as { code?: unknown } | null)?.code ?? '');

/**
 * Why a check failed, in words for the person reading /api/v1/health: what is wrong and which variable to look
 * at, rather than a driver's internals ("Stream isn't writeable and enableOfflineQueue options is false").
 */
export function operatorMessage(probed: Probed, error: unknown): string {
  if (error instanceof TimeoutError) {
    return `no answer within ${error.ms} ms (${probed.timeoutVariable}); it may be overloaded or unreachable`;
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  const unreachable = `check that it runs and that ${probed.urlVariable} points at it`;
  if (probed.name === 'redis') {
    if (/enableOfflineQueue|Connection is closed|Stream isn't writeable/i.test(message)) {
      return `not connected to Redis (it is down or unreachable; reconnecting in the background): ${unreachable}`;
    }
    if (/NOAUTH|WRONGPASS/.test(message)) {
      return `Redis refused the credentials: check the password in ${probed.urlVariable}`;
    }
  }
  if (code === 'ECONNREFUSED') return `connection refused: ${unreachable}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host name does not resolve: ${unreachable}`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `the connection was cut: ${unreachable}`;
  if (code === '28P01' || code === '28000') {
    return `the database refused the login: check the user and password in ${probed.urlVariable}`;
  }
  if (code === '3D000')
    return `the database does not exist: check the database name in ${probed.urlVariable}`;
  if (code === '57P03') return 'the database is starting up or shutting down; it should recover by itself';
  return maskSecretsInText(message);
}

async function probe(
  probed: Probed,
  kind: string,
  timeoutMs: number,
  check: () => Promise<unknown>,
): Promise<ComponentHealth> {
  const started = performance.now();
  try {
    await withTimeout(check(), timeoutMs);
    return { status: 'healthy', kind, latency_ms: elapsed(started) };
  } catch (error) {
    return {
      status: 'unhealthy',
      kind,
      latency_ms: elapsed(started),
      error: maskSecretsInText(operatorMessage(probed, error)),
    };
  }
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 100) / 100;

/** The app DB decides healthy/unhealthy; the legacy DB and Redis can only degrade. */
export async function checkHealth(deps: AppDependencies, version: string): Promise<Health> {
  const { config, db, kv } = deps;
  const checks: Promise<[string, ComponentHealth]>[] = [
    probe(PROBED.app_db, db.app.kind, config.health.postgresTimeoutMs, () => db.app.query('select 1')).then(
      (r) => ['app_db', r],
    ),
  ];
  if (db.legacy) {
    const legacy = db.legacy;
    checks.push(
      probe(PROBED.legacy_db, legacy.kind, config.health.postgresTimeoutMs, () => legacy.ping()).then((r) => [
        'legacy_db',
        r,
      ]),
    );
  }
  if (config.redisUrl) {
    checks.push(
      probe(PROBED.redis, kv.kind, config.health.redisTimeoutMs, () => kv.ping()).then((r) => ['redis', r]),
    );
  }
  const components = Object.fromEntries(await Promise.all(checks));
  const status =
    components.app_db?.status !== 'healthy'
      ? 'unhealthy'
      : Object.values(components).every((component) => component.status === 'healthy')
        ? 'healthy'
        : 'degraded';
  return {
    status,
    components,
    version,
    uptime_seconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
  };
}

const inFlight = new WeakMap<AppDependencies, Promise<Health>>();

/**
 * checkHealth, shared by concurrent callers: a request that arrives while a probe round is running gets that
 * round's answer instead of starting its own, so a burst of health checks (load balancers, a flood) costs
 * one round trip per dependency at a time. Nothing is kept once the round ends: the next request probes anew.
 */
export function checkHealthCoalesced(deps: AppDependencies, version: string): Promise<Health> {
  let round = inFlight.get(deps);
  if (!round) {
    round = checkHealth(deps, version).finally(() => inFlight.delete(deps));
    inFlight.set(deps, round);
  }
  return round;
}
