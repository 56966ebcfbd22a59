// Debian's Chromium for browser tests (TOOLCHAIN.md): the binary, the flags that keep it offline and quiet,
// and whether this machine has it (CI always installs it, so there a missing binary fails instead of skipping).
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const chromiumMissing = !existsSync(CHROMIUM) && process.env.CI !== 'true';
