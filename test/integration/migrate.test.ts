import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteClient, createPostgresClient, type SqlClient } from '../../src/db/client.ts';
import { MIGRATIONS_TABLE, migrateAppDatabase } from '../../src/db/migrate.ts';
import { createTestDatabase, realPostgresUrl } from '../support/real-servers.ts';

const tablesOf = async (client: SqlClient) =>
  (
    await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
    )
  ).map((row) => row.table_name);

describe('app DB migrations on PGlite', () => {
  it('creates scheduled_jobs (the seed test) and a re-run is a no-op', async () => {
    const client = await createPgliteClient({ dataDir: undefined, label: 'memory' });
    try {
      const first = await migrateAppDatabase(client);
      expect(first.applied.length).toBeGreaterThan(0);
      expect(await tablesOf(client)).toEqual(
        expect.arrayContaining(['scheduled_jobs', 'job_runs', 'audit_log', MIGRATIONS_TABLE]),
      );
      const second = await migrateAppDatabase(client);
      expect(second.applied).toEqual([]);
      expect(second.alreadyApplied).toBe(first.applied.length);
    } finally {
      await client.close();
    }
  });
});

describe.skipIf(!realPostgresUrl())('app DB migrations on real PostgreSQL', () => {
  const clients: SqlClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
  });

  it('three concurrent migrators end in one correct schema', async () => {
    const url = await createTestDatabase('migrate');
    for (let i = 0; i < 3; i++) clients.push(createPostgresClient({ url, label: `migrator-${i}`, max: 2 }));
    const results = await Promise.all(clients.map((client) => migrateAppDatabase(client)));
    const appliedCounts = results.map((result) => result.applied.length).sort();
    const total = Math.max(...appliedCounts);
    // Exactly one migrator applied everything; the others found it done.
    expect(appliedCounts).toEqual([0, 0, total]);
    expect(await tablesOf(clients[0]!)).toEqual(
      expect.arrayContaining(['scheduled_jobs', 'job_runs', 'audit_log', MIGRATIONS_TABLE]),
    );
    const recorded = await clients[0]!.query<{ n: number }>(
      `select count(*)::int as n from ${MIGRATIONS_TABLE}`,
    );
    expect(recorded[0]!.n).toBe(total);
  });
});
