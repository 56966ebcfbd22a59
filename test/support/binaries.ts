// Finds the server binaries the real-component suites need (TOOLCHAIN.md).
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export function findBinary(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Debian installs PostgreSQL under /usr/lib/postgresql/<major>/bin; prefer the newest. */
export function postgresBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => join(root, major, 'bin'));
}
