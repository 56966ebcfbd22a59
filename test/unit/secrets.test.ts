// The secret box (AES-256-GCM with the key id authenticated), key parsing that never echoes a key, the schema
// walker that derives sealing, keeping and masking from secretString() marks, and the production start check.
import { randomBytes } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.ts';
import type { SqlClient } from '../../src/db/client.ts';
import {
  mergeSecretInput,
  openSecrets,
  sealSecrets,
  secretString,
} from '../../src/secrets/schema-secrets.ts';
import {
  createSecretBox,
  isSealedSecret,
  maskSealed,
  type SealedSecret,
} from '../../src/secrets/secret-box.ts';
import { storedSecretsProblem } from '../../src/secrets/stored-secrets.ts';
import { createMigratedPglite, insertJob } from '../support/scheduler-harness.ts';

const KEY1 = randomBytes(32).toString('base64');
const KEY2 = randomBytes(32).toString('base64');
// biome-ignore lint/suspicious/noExplicitAny: walked JSON documents, asserted field by field.
type Doc = Record<string, any>;
const keysOf = (env: Record<string, string>) => parseConfig(env).config.encryption;

describe('encryption keys from the environment', () => {
  it('refuses a malformed key naming the variable, never the value', () => {
    for (const [env, variable] of [
      [{ ENCRYPTION_KEY: 'c2hvcnQta2V5LXZhbHVl' }, 'ENCRYPTION_KEY'],
      [{ ENCRYPTION_KEY: KEY1, ENCRYPTION_KEYS: `k0=${KEY2}` }, 'ENCRYPTION_KEYS'],
      [{ ENCRYPTION_KEY: KEY1, ENCRYPTION_KEYS: `k1:${KEY2}` }, 'ENCRYPTION_KEYS'],
    ] as const) {
      let error: unknown;
      try {
        parseConfig(env);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message).not.toContain(KEY2);
      expect((error as Error).message).not.toContain('c2hvcnQta2V5LXZhbHVl');
    }
  });

  it('keeps older keys for decryption beside the current one', () => {
    const keys = keysOf({ ENCRYPTION_KEY: KEY2, ENCRYPTION_KEY_ID: 'k2', ENCRYPTION_KEYS: `k1:${KEY1}` });
    expect(keys.currentKeyId).toBe('k2');
    expect([...keys.keys.keys()].sort()).toEqual(['k1', 'k2']);
    expect(keysOf({}).currentKeyId).toBeUndefined();
  });
});

describe('the secret box', () => {
  const box = createSecretBox(keysOf({ ENCRYPTION_KEY: KEY1 }));

  it('round-trips JSON values with a fresh IV each time', () => {
    const a = box.seal('Bearer abc');
    const b = box.seal('Bearer abc');
    expect(a.$secret.ct).not.toBe(b.$secret.ct);
    expect(box.open(a)).toBe('Bearer abc');
    expect(box.open(box.seal({ nested: [1, 2] }))).toEqual({ nested: [1, 2] });
  });

  it('detects a changed ciphertext, tag or key id', () => {
    const sealed = box.seal('value');
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0]! ^= 1;
      return bytes.toString('base64');
    };
    const change = (patch: Partial<SealedSecret['$secret']>) => ({
      $secret: { ...sealed.$secret, ...patch },
    });
    expect(() => box.open(change({ ct: flip(sealed.$secret.ct) }))).toThrow();
    expect(() => box.open(change({ tag: flip(sealed.$secret.tag) }))).toThrow();
    // The same key under another id: the id is authenticated data, so relabelling fails.
    const twoIds = createSecretBox(keysOf({ ENCRYPTION_KEY: KEY1, ENCRYPTION_KEYS: `other:${KEY1}` }));
    expect(() => twoIds.open(change({ kid: 'other' }))).toThrow();
    expect(() => createSecretBox(keysOf({})).open(sealed)).toThrow(/no key "k1"/);
    expect(() => createSecretBox(keysOf({})).seal('x')).toThrow(/ENCRYPTION_KEY/);
  });
});

describe('secret fields derived from the schema', () => {
  const box = createSecretBox(keysOf({ ENCRYPTION_KEY: KEY1 }));
  const schema = z.object({
    plain: z.string(),
    token: secretString().optional(),
    headers: z.record(z.string(), secretString()).default({}),
    targets: z.array(z.object({ url: z.string(), password: secretString() })).default([]),
  });
  const input = {
    plain: 'p',
    token: 't0ken',
    headers: { Authorization: 'Bearer x' },
    targets: [{ url: 'u', password: 'pw' }],
  };

  it('seals exactly the marked fields, and opens them back', () => {
    const sealed = sealSecrets(schema, input, box) as Doc;
    expect(sealed.plain).toBe('p');
    expect(isSealedSecret(sealed.token)).toBe(true);
    expect(isSealedSecret(sealed.headers.Authorization)).toBe(true);
    expect(sealed.targets[0].url).toBe('u');
    expect(isSealedSecret(sealed.targets[0].password)).toBe(true);
    expect(JSON.stringify(sealed)).not.toMatch(/t0ken|Bearer x|"pw"/);
    expect(openSecrets(schema, sealed, box)).toEqual(input);
    expect(maskSealed(sealed)).toEqual({
      plain: 'p',
      token: { set: true },
      headers: { Authorization: { set: true } },
      targets: [{ url: 'u', password: { set: true } }],
    });
  });

  it('keeps stored secrets that an update leaves out or shows as set, clears on {"set": false}', () => {
    const stored = sealSecrets(schema, input, box) as Doc;
    const kept = mergeSecretInput(schema, { plain: 'q' }, stored) as Doc;
    expect(kept.token).toEqual(stored.token);
    expect(kept.headers.Authorization).toEqual(stored.headers.Authorization);
    const shown = mergeSecretInput(schema, maskSealed(stored), stored) as Doc;
    expect(shown.token).toEqual(stored.token);
    const changed = mergeSecretInput(
      schema,
      { plain: 'q', token: { set: false }, headers: { Authorization: 'Bearer y', 'X-Key': 'k' } },
      stored,
    ) as Doc;
    expect(changed.token).toBeUndefined();
    expect(changed.headers).toEqual({ Authorization: 'Bearer y', 'X-Key': 'k' });
    // {"set": true} with nothing stored is not a value: validation refuses it.
    const bogus = mergeSecretInput(schema, { plain: 'q', token: { set: true } }, {});
    expect(schema.safeParse(openSecrets(schema, bogus, box)).success).toBe(false);
  });

  it('marks secret fields write-only in the JSON Schema the API publishes', () => {
    const json = z.toJSONSchema(schema, { io: 'input' }) as { properties: Doc };
    expect(json.properties.token).toMatchObject({ writeOnly: true });
  });
});

describe('the production start check', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = await createMigratedPglite();
  });
  afterAll(async () => {
    await db.close();
  });

  it('names ENCRYPTION_KEY in one line when secrets are stored and no key can open them', async () => {
    expect(await storedSecretsProblem(db, keysOf({}))).toBeUndefined();
    const sealed = createSecretBox(keysOf({ ENCRYPTION_KEY: KEY1 })).seal('Bearer x');
    await insertJob(db, { kwargs: { secret_headers: { Authorization: sealed } } });
    const problem = await storedSecretsProblem(db, keysOf({}));
    expect(problem).toBe(
      'config error: ENCRYPTION_KEY: secret values are stored in the database but ENCRYPTION_KEY is not set',
    );
    expect(await storedSecretsProblem(db, keysOf({ ENCRYPTION_KEY: KEY1 }))).toBeUndefined();
    expect(await storedSecretsProblem(db, keysOf({ ENCRYPTION_KEY: KEY2, ENCRYPTION_KEY_ID: 'k2' }))).toMatch(
      /^config error: ENCRYPTION_KEYS: stored secrets use key id\(s\) k1,/,
    );
  });
});
