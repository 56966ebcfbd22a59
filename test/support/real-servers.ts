// Access to the servers started by global-setup, and a fresh database per suite.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';

export const realPostgresUrl = (): string | undefined => inject('postgresUrl') ?? undefined;
export const realRedisUrl = (): string | undefined => inject('redisUrl') ?? undefined;

/** Creates an empty database on the shared test server and returns its URL. */
export async function createTestDatabase(prefix = 'test'): Promise<string> {
  const base = realPostgresUrl();
  if (!base) throw new Error('no real PostgreSQL in this run');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}
