// npm start's first step: rebuilds dist/ only when its inputs changed since the build it holds, so a restart
// costs no compile. The fingerprint is every input file's path, size and mtime (a deleted, added or edited source
// changes it); it is written next to the build only after tsc succeeded.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stampPath = join(root, 'dist', '.build-fingerprint');
const inputs = ['src', 'views', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function fingerprint() {
  const hash = createHash('sha256');
  const visit = (relative) => {
    const path = join(root, relative);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(relative, name));
      return;
    }
    hash.update(`${relative}\0${stat.size}\0${stat.mtimeMs}\n`);
  };
  for (const input of inputs) visit(input);
  return hash.digest('hex');
}

const current = fingerprint();
const built = existsSync(stampPath) ? readFileSync(stampPath, 'utf8').trim() : undefined;
if (built !== current || !existsSync(join(root, 'dist', 'src', 'entry', 'node.js'))) {
  // As `npm run build`: remove the previous build so deleted sources never linger, then emit.
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  writeFileSync(stampPath, `${current}\n`);
}
