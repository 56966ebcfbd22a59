// `npm test` after lint: `npm run typecheck` and the whole vitest run side by side, instead of one
// after the other, and a failure of either fails the command. Vitest's output streams as usual; the
// typecheck's is held: one line when tsc ends, and its errors (if any) in one block after vitest's summary,
// so the two never interleave. Arguments go to vitest (`npm test -- test/api`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;

const children = [];
// Ctrl-C reaches the children from the terminal: wait for them to stop (vitest stops its servers). A SIGTERM
// sent to this process alone is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {
  for (const child of children) child.kill('SIGTERM');
});

/** Runs a command from the project root; its exit code resolves `code` (1 for a signal). */
function run(command, args, stdio) {
  const child = spawn(command, args, { cwd: root, stdio });
  children.push(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk) => {
    output += chunk;
  });
  const code = new Promise((resolve) => {
    child.once('error', (error) => {
      output += `${error.message}\n`;
      resolve(1);
    });
    child.once('close', (exitCode) => resolve(exitCode ?? 1));
  });
  return { code, output: () => output };
}

const typecheck = run('npm', ['run', '--silent', 'typecheck'], 'pipe');
const vitest = run(
  process.execPath,
  [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...process.argv.slice(2)],
  'inherit',
);

const typecheckCode = await typecheck.code;
console.log(
  `\n[npm run typecheck] ${typecheckCode === 0 ? 'passed' : 'FAILED (errors after the tests)'}, ${seconds()}\n`,
);
const vitestCode = await vitest.code;
if (typecheckCode !== 0) console.log(`\n[npm run typecheck] FAILED:\n${typecheck.output().trimEnd()}`);
process.exitCode = typecheckCode !== 0 ? typecheckCode : vitestCode;
