// Encrypts values at rest with AES-256-GCM. A sealed value is stored as {"$secret": {kid, iv, tag, ct}}: the key id
// travels with the value, so older keys keep decrypting after a new one becomes current (see `npm run
// secrets:rotate`). Plain values never leave this module except to the caller that asked to open one.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKeys } from '../config/index.ts';
import { AppError } from '../http/errors.ts';

export interface SealedSecret {
  $secret: { kid: string; iv: string; tag: string; ct: string };
}

export function isSealedSecret(value: unknown): value is SealedSecret {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const inner = (value as { $secret?: unknown }).$secret;
  return (
    Object.keys(value).length === 1 &&
    !!inner &&
    typeof inner === 'object' &&
    ['kid', 'iv', 'tag', 'ct'].every((k) => typeof (inner as Record<string, unknown>)[k] === 'string')
  );
}

/** Thrown when a secret must be sealed or opened and the key for it is not configured. */
export class SecretKeyMissing extends AppError {
  constructor(what: string) {
    super(409, 'encryption_key_missing', `${what}: set ENCRYPTION_KEY (see docs/scheduler/secrets.md)`);
  }
}

export interface SecretBox {
  readonly currentKeyId: string | undefined;
  /** Encrypts any JSON value under the current key. */
  seal(value: unknown): SealedSecret;
  /** Decrypts a sealed value (with whichever configured key its kid names). */
  open(sealed: SealedSecret): unknown;
  /** Whether a sealed value is under the current key already. */
  isCurrent(sealed: SealedSecret): boolean;
}

export function createSecretBox(keys: EncryptionKeys): SecretBox {
  return {
    currentKeyId: keys.currentKeyId,
    seal(value) {
      const kid = keys.currentKeyId;
      const key = kid ? keys.keys.get(kid) : undefined;
      if (!kid || !key) throw new SecretKeyMissing('cannot store a secret value');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key id is authenticated too, so a value cannot be relabelled to another key.
      cipher.setAAD(Buffer.from(kid));
      const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return {
        $secret: {
          kid,
          iv: iv.toString('base64'),
          tag: cipher.getAuthTag().toString('base64'),
          ct: ct.toString('base64'),
        },
      };
    },
    open(sealed) {
      const { kid, iv, tag, ct } = sealed.$secret;
      const key = keys.keys.get(kid);
      if (!key) throw new SecretKeyMissing(`no key "${kid}" to decrypt a stored secret`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(kid));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]);
      return JSON.parse(plain.toString('utf8'));
    },
    isCurrent: (sealed) => sealed.$secret.kid === keys.currentKeyId,
  };
}

/** Replaces every sealed value in a JSON document by {set: true}: what reads, audit rows and pages show. */
export function maskSealed(value: unknown): unknown {
  if (isSealedSecret(value)) return { set: true };
  if (Array.isArray(value)) return value.map(maskSealed);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSealed(v)]));
  }
  return value;
}

/** Rewrites every sealed value in a JSON document (rotation, key-id scans). */
export function mapSealed(value: unknown, fn: (sealed: SealedSecret) => SealedSecret): unknown {
  if (isSealedSecret(value)) return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapSealed(v, fn));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSealed(v, fn)]));
  }
  return value;
}

/** Whether a document holds any sealed value (the start-up check and rotation use it). */
export function holdsSealed(value: unknown): boolean {
  if (isSealedSecret(value)) return true;
  if (Array.isArray(value)) return value.some(holdsSealed);
  if (value && typeof value === 'object') return Object.values(value).some(holdsSealed);
  return false;
}
