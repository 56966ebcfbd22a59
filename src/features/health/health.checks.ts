// Probes each dependency with its own timeout. Reads only: a health check never writes.
import type { AppDependencies } from '../../deps.ts';
import { withTimeout } from '../../lib/with-timeout.ts';
import { maskSecretsInText } from '../../observability/redact.ts';
import type { ComponentHealth, Health } from './health.schemas.ts';

async function probe(
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
      error: maskSecretsInText((error as Error).message),
    };
  }
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 100) / 100;

/** The app DB decides healthy/unhealthy; the legacy DB and Redis can only degrade. */
export async function checkHealth(deps: AppDependencies, version: string): Promise<Health> {
  const { config, db, kv } = deps;
  const checks: Promise<[string, ComponentHealth]>[] = [
    probe(db.app.kind, config.health.postgresTimeoutMs, () => db.app.query('select 1')).then((r) => [
      'app_db',
      r,
    ]),
  ];
  if (db.legacy) {
    const legacy = db.legacy;
    checks.push(
      probe(legacy.kind, config.health.postgresTimeoutMs, () => legacy.ping()).then((r) => ['legacy_db', r]),
    );
  }
  if (config.redisUrl) {
    checks.push(probe(kv.kind, config.health.redisTimeoutMs, () => kv.ping()).then((r) => ['redis', r]));
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
