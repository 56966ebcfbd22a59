// Once per run, before any test file: one real PostgreSQL (with a migrated template database that test files
// clone) and one real redis-server, from the machine's binaries. A run of the unit project alone needs no
// server and starts none. Locally a missing server skips its suites with a printed reason; under CI=true it
// fails the run.
import type { TestProject } from 'vitest/node';
import { findPostgresBinaries, type PostgresServer, startPostgres } from './postgres-server.ts';
import { findRedisBinary, type RedisServer, startRedis } from './redis-server.ts';
import { createMigratedTemplateDatabase } from './templates.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
    redisUrl: string | null;
    missingServers: string[];
    /** The migrated template database on postgresUrl's server (createMigratedTestDatabase clones it). */
    postgresTemplate: string | null;
  }
}

/** Projects whose files use no server (vitest.config.ts). */
const SELF_CONTAINED_PROJECTS = new Set(['unit']);

const elapsed = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

export default async function setup(project: TestProject) {
  const inCi = process.env.CI === 'true' || process.env.CI === '1';
  const projects = project.vitest.projects.map((p) => p.name);
  const needed = projects.length === 0 || projects.some((name) => !SELF_CONTAINED_PROJECTS.has(name));
  const missing: string[] = [];
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  let postgresTemplate: string | undefined;

  const teardown = async () => {
    await Promise.allSettled([postgres?.stop(), redis?.stop()]);
  };

  if (needed) {
    const started = performance.now();
    try {
      [postgres, redis] = await Promise.all([
        findPostgresBinaries() ? startPostgres() : undefined,
        findRedisBinary() ? startRedis() : undefined,
      ]);
      if (postgres) postgresTemplate = await createMigratedTemplateDatabase(postgres.url);
    } catch (error) {
      await teardown();
      throw error;
    }
    if (!postgres) missing.push('PostgreSQL (initdb/pg_ctl not found: apt-get install postgresql-15)');
    if (!redis) missing.push('Redis (redis-server not found: apt-get install redis-server)');
    console.log(`[test setup] servers and the template database ready in ${elapsed(started)}`);
  }

  if (missing.length) {
    const message = `real-server suites cannot run: ${missing.join('; ')}`;
    if (inCi) {
      await teardown();
      throw new Error(`${message}. Under CI=true this is a failure (.ci/run installs them).`);
    }
    console.warn(`\n[test setup] SKIPPING ${message}\n`);
  }
  project.provide('postgresUrl', postgres?.url ?? null);
  project.provide('redisUrl', redis?.url ?? null);
  project.provide('missingServers', missing);
  project.provide('postgresTemplate', postgresTemplate ?? null);

  return teardown;
}
