// ENCRYPTION_KEY (+ ENCRYPTION_KEY_ID) is the current key; ENCRYPTION_KEYS lists older keys, `kid:base64` comma
// separated, that still decrypt values sealed before a rotation. Errors name the variable, never the value.
import { ConfigError } from './errors.ts';

export interface EncryptionKeys {
  /** The key new values are sealed with; undefined when ENCRYPTION_KEY is not set. */
  currentKeyId: string | undefined;
  /** Every key that may open a value, by id (the current one included). 32 bytes each. */
  keys: ReadonlyMap<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;

function decodeKey(variable: string, text: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || key.length !== 32) {
    throw new ConfigError(variable, 'must be 32 random bytes in base64 (openssl rand -base64 32)');
  }
  return key;
}

export function parseEncryptionKeys(
  current: string | undefined,
  currentId: string,
  older: string | undefined,
): EncryptionKeys {
  const keys = new Map<string, Buffer>();
  for (const entry of (older ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(':');
    const kid = entry.slice(0, colon);
    if (colon < 1 || !KEY_ID.test(kid)) {
      throw new ConfigError('ENCRYPTION_KEYS', 'entries must be kid:base64key, separated by commas');
    }
    keys.set(kid, decodeKey('ENCRYPTION_KEYS', entry.slice(colon + 1)));
  }
  if (!current) return { currentKeyId: undefined, keys };
  const key = decodeKey('ENCRYPTION_KEY', current);
  const clash = keys.get(currentId);
  if (clash && !clash.equals(key)) {
    throw new ConfigError(
      'ENCRYPTION_KEYS',
      `names key id "${currentId}" with another key than ENCRYPTION_KEY`,
    );
  }
  keys.set(currentId, key);
  return { currentKeyId: currentId, keys };
}
