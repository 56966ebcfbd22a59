// Starts one real PostgreSQL and one real redis-server for the whole run, from the machine's binaries.
// Locally a missing server skips its suites with a printed reason; under CI=true it fails the run.
import type { TestProject } from 'vitest/node';
import { findPostgresBinaries, type PostgresServer, startPostgres } from './postgres-server.ts';
import { findRedisBinary, type RedisServer, startRedis } from './redis-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
    redisUrl: string | null;
    missingServers: string[];
  }
}

export default async function setup(project: TestProject) {
  const inCi = process.env.CI === 'true' || process.env.CI === '1';
  const missing: string[] = [];
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;

  if (findPostgresBinaries()) postgres = await startPostgres();
  else missing.push('PostgreSQL (initdb/pg_ctl not found: apt-get install postgresql-15)');
  if (findRedisBinary()) redis = await startRedis();
  else missing.push('Redis (redis-server not found: apt-get install redis-server)');

  if (missing.length) {
    const message = `real-server suites cannot run: ${missing.join('; ')}`;
    if (inCi) {
      await Promise.allSettled([postgres?.stop(), redis?.stop()]);
      throw new Error(`${message}. Under CI=true this is a failure (.ci/run installs them).`);
    }
    console.warn(`\n[test setup] SKIPPING ${message}\n`);
  }
  project.provide('postgresUrl', postgres?.url ?? null);
  project.provide('redisUrl', redis?.url ?? null);
  project.provide('missingServers', missing);

  return async () => {
    await Promise.allSettled([postgres?.stop(), redis?.stop()]);
  };
}
