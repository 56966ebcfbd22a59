// npm run secrets:rotate: re-encrypts every stored secret under the current ENCRYPTION_KEY and reports counts.
// Idempotent; run it after making a new key current (with the old one in ENCRYPTION_KEYS), then retire the old key.
import { createSecretBox } from '../secrets/secret-box.ts';
import { rotateSecrets } from '../secrets/stored-secrets.ts';
import { StartupRefused } from './bootstrap.ts';
import { runDatabaseCommand } from './database-command.ts';

await runDatabaseCommand(
  'secrets rotation',
  async ({ config, db }) => {
    const report = await rotateSecrets(db.app, createSecretBox(config.encryption));
    console.log(
      `secrets re-encrypted under key "${config.encryption.currentKeyId}": ${report.secrets_reencrypted} ` +
        `(rows updated: ${report.rows_updated}, already current: ${report.secrets_already_current})`,
    );
  },
  (config) => {
    if (!config.encryption.currentKeyId) {
      throw new StartupRefused('config error: ENCRYPTION_KEY: is required to re-encrypt stored secrets');
    }
  },
);
