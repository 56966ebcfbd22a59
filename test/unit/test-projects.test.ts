// Every test file lands in exactly one vitest project (lane), so a new file can neither be run twice nor
// silently left out of `npm test`; and each lane's npm script runs its project.
import { globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../vitest.config.ts';

const root = join(import.meta.dirname, '../..');
const files = (patterns: readonly string[]) =>
  new Set(patterns.flatMap((pattern) => globSync(pattern, { cwd: root })));

interface ProjectConfig {
  test: { name: string; include: string[]; exclude: string[] };
}
const projects = (config.test?.projects ?? []) as ProjectConfig[];

describe('vitest projects', () => {
  it('put every test file under test/ (bench aside) in exactly one project', () => {
    const members = new Map(
      projects.map(({ test }) => {
        const excluded = files(test.exclude);
        return [test.name, [...files(test.include)].filter((file) => !excluded.has(file))] as const;
      }),
    );
    const all = [...files(['test/**/*.test.ts', 'test/**/*.test.tsx'])].filter(
      (f) => !f.startsWith('test/bench/'),
    );
    expect(all.length).toBeGreaterThan(50);
    const homes = all.map((file) => ({
      file,
      projects: [...members].filter(([, list]) => list.includes(file)).map(([name]) => name),
    }));
    expect(homes.filter((home) => home.projects.length !== 1)).toEqual([]);
    expect(members.get('unit')).toContain('test/unit/test-projects.test.ts');
    expect(members.get('browser')).toContain('test/browser/admin-ui.test.ts');
    expect(members.get('integration')).toContain('test/integration/nginx.test.ts');
  });

  it('have a lane script each, and npm test runs lint, typecheck and every project', () => {
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<
      string,
      string
    >;
    for (const { test } of projects) expect(scripts[`test:${test.name}`]).toContain(`--project ${test.name}`);
    expect(scripts.test).toBe('npm run lint && node scripts/test.mjs');
    const runner = readFileSync(join(root, 'scripts/test.mjs'), 'utf8');
    expect(runner).toContain("run('npm', ['run', '--silent', 'typecheck']");
    expect(runner).toContain("'node_modules/vitest/vitest.mjs'), 'run', ...process.argv.slice(2)]");
  });
});

describe('the test command', () => {
  it('in the README is the one .ci/run runs', () => {
    const ciRun = readFileSync(join(root, '.ci/run'), 'utf8').trim().split('\n').at(-1);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(ciRun).toMatch(/npm test$/);
    expect(readme).toContain(`\`\`\`sh\n${ciRun}\n\`\`\``);
  });
});
