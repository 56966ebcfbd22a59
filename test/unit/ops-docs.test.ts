// The deploy and operations docs only name things that exist: repository paths, npm scripts and compose
// variables; and their shell blocks parse. (Running them needs a Docker engine and AWS, which CI lacks; the
// scripts they call are exercised by the integration suites.)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const docs = ['docs/deploy', 'docs/operations'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `${dir}/${name}`),
);
const scripts = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts);
const composeText = ['compose.base.yml', 'compose.local.yml', 'compose.aws.yml']
  .map((name) => readFileSync(join(root, 'docker', name), 'utf8'))
  .join('\n');

describe.each(docs)('%s', (doc) => {
  const text = readFileSync(join(root, doc), 'utf8');

  it('names repository paths that exist', () => {
    const paths = [
      ...text.matchAll(
        /(?<![\w/.-])((?:dist\/)?(?:scripts|docker|nginx|migrations|test|src|docs)\/[\w./-]*[\w])/g,
      ),
    ].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) {
      // dist/ is the build output of src/ (tsc: .ts -> .js).
      const source = path.startsWith('dist/') ? path.slice(5).replace(/\.js$/, '.ts') : path;
      expect(existsSync(join(root, source)), `${doc} names ${path}`).toBe(true);
    }
  });

  it('runs npm scripts that package.json has', () => {
    for (const match of text.matchAll(/npm run ([\w:-]+)/g)) {
      expect(scripts, `${doc}: npm run ${match[1]}`).toContain(match[1]);
    }
  });

  it('has shell blocks that parse', () => {
    for (const match of text.matchAll(/```bash\n([\s\S]*?)```/g)) {
      expect(() => execFileSync('bash', ['-n'], { input: match[1] }), match[1]).not.toThrow();
    }
  });
});

describe('docs/deploy/local.md', () => {
  it('documents compose variables the compose files use', () => {
    const text = readFileSync(join(root, 'docs/deploy/local.md'), 'utf8');
    const table = text.slice(text.indexOf('## Compose variables'), text.indexOf('## nginx'));
    const names = [...table.matchAll(/^\| `([A-Z_]+)`(?:, `([A-Z_]+)`)?(?:, `([A-Z_]+)`)?/gm)].flatMap((m) =>
      m.slice(1).filter(Boolean),
    );
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(composeText, name).toContain(`\${${name}`);
  });
});
