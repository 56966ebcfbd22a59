// npm run secrets:rotate: re-encrypts every stored secret under the current ENCRYPTION_KEY and reports counts.
// Idempotent; run it after making a new key current (with the old one in ENCRYPTION_KEYS), then retire the old key.
import { createDatabases } from '../db/index.ts';
import { maskSecretsInText } from '../observability/redact.ts';
import { createSecretBox } from '../secrets/secret-box.ts';
import { rotateSecrets } from '../secrets/stored-secrets.ts';
import { loadConfig, StartupRefused } from './bootstrap.ts';

try {
  const { config, logger } = loadConfig(process.env, Boolean(process.stdout.isTTY));
  if (!config.encryption.currentKeyId) {
    throw new StartupRefused('config error: ENCRYPTION_KEY: is required to re-encrypt stored secrets');
  }
  const db = await createDatabases(config, logger);
  try {
    const report = await rotateSecrets(db.app, createSecretBox(config.encryption));
    console.log(
      `secrets re-encrypted under key "${config.encryption.currentKeyId}": ${report.secrets_reencrypted} ` +
        `(rows updated: ${report.rows_updated}, already current: ${report.secrets_already_current})`,
    );
  } finally {
    await db.close();
  }
} catch (error) {
  console.error(
    error instanceof StartupRefused
      ? error.message
      : `secrets rotation error: ${maskSecretsInText((error as Error).message)}`,
  );
  process.exit(1);
}
