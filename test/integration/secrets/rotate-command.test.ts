// `npm run secrets:rotate` as operators run it (the built entry, as the image runs it, in a child process, env
// only): it re-encrypts under the current key, reports counts, is idempotent, and refuses to run without
// ENCRYPTION_KEY.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.ts';
import { createPostgresClient, type SqlClient } from '../../../src/db/client.ts';
import { createSecretBox } from '../../../src/secrets/secret-box.ts';
import { runOriginToExit } from '../../support/origin-process.ts';
import { createMigratedTestDatabase, realPostgresUrl } from '../../support/real-servers.ts';
import { insertJob } from '../../support/scheduler-harness.ts';

const KEY1 = randomBytes(32).toString('base64');
const KEY2 = randomBytes(32).toString('base64');

describe.skipIf(!realPostgresUrl())('npm run secrets:rotate', () => {
  let url: string;
  let db: SqlClient;

  beforeAll(async () => {
    url = await createMigratedTestDatabase('rotate');
    db = createPostgresClient({ url, label: 'rotate-test', max: 2 });
    const old = createSecretBox(parseConfig({ ENCRYPTION_KEY: KEY1 }).config.encryption);
    for (let i = 0; i < 2; i++) {
      await insertJob(db, { kwargs: { secret_headers: { Authorization: old.seal(`Bearer ${i}`) } } });
    }
  });
  afterAll(async () => {
    await db?.close();
  });

  const rotate = (env: Record<string, string>) =>
    runOriginToExit(
      { APP_ENV: 'test', LOG_LEVEL: 'silent', DB_APP_URL: url, ...env },
      { entry: 'src/entry/rotate-secrets.ts' },
    );

  it('re-encrypts every secret under the current key, then finds nothing left', async () => {
    const env = { ENCRYPTION_KEY: KEY2, ENCRYPTION_KEY_ID: 'k2', ENCRYPTION_KEYS: `k1:${KEY1}` };
    const first = await rotate(env);
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe(
      'secrets re-encrypted under key "k2": 2 (rows updated: 2, already current: 0)',
    );
    const second = await rotate(env);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe(
      'secrets re-encrypted under key "k2": 0 (rows updated: 0, already current: 2)',
    );
    const rows = await db.query<{ raw: string }>('select kwargs::text as raw from scheduled_jobs');
    expect(rows.every((row) => row.raw.includes('"kid": "k2"') || row.raw.includes('"kid":"k2"'))).toBe(true);
    expect(`${first.stdout}${first.stderr}`).not.toContain(KEY1);
  });

  it('refuses without ENCRYPTION_KEY, in one line', async () => {
    const failed = await rotate({});
    expect(failed.code).not.toBe(0);
    expect(failed.stderr.trim()).toBe(
      'config error: ENCRYPTION_KEY: is required to re-encrypt stored secrets',
    );
  });
});
